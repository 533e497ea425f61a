using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Crashes;

/// <summary>/crashes: R&amp;D's crash folder, read with the same query as GET /api/crashes (newest first).</summary>
public sealed partial class CrashFolder
{
    public const int PageSize = 25;

    private CrashPageDto? crashes;
    private CrashLabel? labelFilter;
    private int page = 1;

    [Inject]
    private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private int PageCount => crashes is null ? 0 : (crashes.Total + PageSize - 1) / PageSize;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        await using var db = await Catalog.CreateDbContextAsync();
        var result = await CrashesApi.ListCrashes(db, labelFilter, rider: null, CancellationToken.None, page, PageSize);
        crashes = result.Result is Ok<CrashPageDto> ok ? ok.Value : new CrashPageDto([], 0, page, PageSize);
    }

    private async Task FilterChangedAsync(CrashLabel? label)
    {
        labelFilter = label;
        page = 1;
        await LoadAsync();
    }

    private async Task PageChangedAsync(int selected)
    {
        page = selected;
        await LoadAsync();
    }

    private void Open(CrashDto? crash)
    {
        if (crash is not null)
        {
            Navigation.NavigateTo($"/crashes/{crash.Id}");
        }
    }
}
