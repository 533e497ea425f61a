using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Components.Web;

namespace Portal.Components;

public sealed partial class App
{
    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    /// <summary>Interactive everywhere except the account pages, which post plain forms (they set cookies).</summary>
    private IComponentRenderMode? PageRenderMode =>
        HttpContext.AcceptsInteractiveRouting() ? RenderMode.InteractiveServer : null;
}
