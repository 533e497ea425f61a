using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Api;
using Portal.Core.Rides;

namespace Portal.Components.Pages.RoleHomes;

/// <summary>A technician's home: the team's latest sessions, riders without a session for 30 days, sessions waiting or failed.</summary>
public sealed partial class TechnicianHomePanel
{
    private TechnicianHome? home;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private HomeOverview Overview { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is { } caller)
        {
            home = await Overview.TechnicianAsync(caller, CancellationToken.None);
        }
    }
}
