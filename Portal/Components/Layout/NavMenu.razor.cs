using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Portal.Components.Layout;

/// <summary>The drawer: the entries of <see cref="PortalNavigation"/> the signed-in user's roles allow.</summary>
public sealed partial class NavMenu
{
    private IReadOnlyList<NavItem> items = [];

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        items = AuthenticationState is null ? [] : PortalNavigation.For((await AuthenticationState).User);
    }
}
