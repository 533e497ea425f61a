using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Api;
using Portal.Core.Rides;

namespace Portal.Components.Pages.RoleHomes;

/// <summary>R&amp;D's home: crashes waiting for a verdict (count and newest) and the latest professional sessions.</summary>
public sealed partial class RnDHomePanel
{
    private RnDHome? home;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private HomeOverview Overview { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is { } caller)
        {
            home = await Overview.RnDAsync(caller, CancellationToken.None);
        }
    }
}
