using MudBlazor.Services;

namespace Portal.Hosting;

/// <summary>Blazor (interactive server) with MudBlazor; account pages render statically.</summary>
public static class UiHosting
{
    public static IHostApplicationBuilder AddPortalUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddScoped<Components.Shared.Time.BrowserTimeZone>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapRazorComponents<Components.App>().AddInteractiveServerRenderMode();
        return app;
    }
}
