using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Components.Pages.Upload;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Team;

/// <summary>/team/upload: technicians (and admins) upload many sessions, each for a professional rider of the team.</summary>
public sealed partial class BulkUploadPage
{
    private IReadOnlyList<UploadRider>? riders;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var caller = (await AuthenticationState).User.ToRideCaller();
        if (caller is null)
        {
            riders = [];
            return;
        }

        await using var db = await Catalog.CreateDbContextAsync();
        riders = await UploadRiders.ForAsync(db, caller, teamOnly: true, CancellationToken.None);
    }
}
