using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Crashes;

/// <summary>/crashes/{id}: one crash with its window charts, its map point, R&amp;D's label and notes, and its downloads.</summary>
public sealed partial class CrashDetail
{
    private CrashDto? crash;
    private bool loaded;

    [Parameter] public Guid Id { get; set; }

    [Inject]
    private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    private List<BreadcrumbItem> Breadcrumbs =>
    [
        new("Crash folder", "/crashes"),
        new(crash?.FileName ?? Id.ToString(), null, disabled: true),
    ];

    protected override async Task OnParametersSetAsync()
    {
        if (crash?.Id == Id)
        {
            return;
        }

        loaded = false;
        await using var db = await Catalog.CreateDbContextAsync();
        var result = await CrashesApi.GetCrash(Id, db, CancellationToken.None);
        crash = result.Result is Ok<CrashDto> ok ? ok.Value : null;
        loaded = true;
    }

    private void OnLabelSaved(CrashDto updated) => crash = updated;
}
