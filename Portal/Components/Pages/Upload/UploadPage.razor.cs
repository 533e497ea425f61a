using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Upload;

/// <summary>/upload: riders upload their own rides; technicians and admins upload on behalf of a rider.</summary>
public sealed partial class UploadPage
{
    private IReadOnlyList<UploadRider>? riders;
    private bool onBehalf;

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

        onBehalf = caller.IsAdmin || caller.IsTechnician;
        await using var db = await Catalog.CreateDbContextAsync();
        riders = await UploadRiders.ForAsync(db, caller, teamOnly: false, CancellationToken.None);
    }
}
