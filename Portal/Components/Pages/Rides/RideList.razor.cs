using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Rides;

/// <summary>What the ride list is filtered by; dates are whole days (UTC), <see cref="To"/> inclusive.</summary>
public sealed record RideListFilter(DateTime? From = null, DateTime? To = null, string? Device = null, RideStatus? Status = null, bool? Crash = null, string? Text = null);

/// <summary>
/// The rides the user may see, filtered, sorted and paged on the server by the API's own list query; rows that
/// are queued or processing are refreshed every <see cref="RefreshInterval"/> until none is left.
/// </summary>
public sealed partial class RideList : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1.5);

    private readonly CancellationTokenSource disposal = new();
    private readonly HashSet<Guid> selected = [];
    private MudTable<RideDto>? table;
    private RideListFilter filter = new();
    private IReadOnlyList<string> devices = [];
    private bool interactive;
    private bool waitingRows;
    private PollingTimer? poller;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return;
        }

        await using var db = await Catalog.CreateDbContextAsync(disposal.Token);
        devices = await db.Rides.AsNoTracking().VisibleTo(db, caller)
            .Where(r => r.DeviceId != null)
            .Select(r => r.DeviceId!)
            .Distinct()
            .OrderBy(d => d)
            .Take(200)
            .ToListAsync(disposal.Token);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            UpdatePolling();
        }
    }

    /// <summary>The table's server-side data: the same query, rules and sorting as <c>GET /api/rides</c>.</summary>
    private async Task<TableData<RideDto>> LoadPageAsync(TableState state, CancellationToken cancellationToken)
    {
        var user = (await AuthenticationState).User;
        var sort = string.IsNullOrEmpty(state.SortLabel) || state.SortDirection == SortDirection.None
            ? null
            : (state.SortDirection == SortDirection.Descending ? "-" : "") + state.SortLabel;
        var query = new RideListQuery(
            Device: filter.Device,
            Status: filter.Status,
            Crash: filter.Crash,
            From: filter.From is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from.Date, DateTimeKind.Utc)) : null,
            To: filter.To is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to.Date.AddDays(1), DateTimeKind.Utc)) : null,
            Q: filter.Text,
            Page: state.Page + 1,
            PageSize: Math.Clamp(state.PageSize, 1, RidesApi.MaxPageSize),
            Sort: sort);

        await using var db = await Catalog.CreateDbContextAsync(cancellationToken);
        var result = await RidesApi.ListRides(query, user, db, Time, cancellationToken);
        if (result.Result is not Ok<RidePageDto> { Value: { } page })
        {
            waitingRows = false;
            UpdatePolling();
            return new TableData<RideDto> { Items = [], TotalItems = 0 };
        }

        waitingRows = page.Items.Any(r => !RideStatusChip.IsFinal(r.Status));
        UpdatePolling();
        return new TableData<RideDto> { Items = page.Items, TotalItems = page.Total };
    }

    /// <summary>Refreshes only while a visible row is queued or processing; stops as soon as all are final.</summary>
    private void UpdatePolling()
    {
        if (waitingRows && interactive && poller is null)
        {
            poller = new PollingTimer(Time, RefreshInterval, () => InvokeAsync(ReloadAsync));
        }
        else if (!waitingRows && poller is not null)
        {
            poller.Dispose();
            poller = null;
        }
    }

    private Task ReloadAsync() => disposal.IsCancellationRequested || table is null ? Task.CompletedTask : table.ReloadServerData();

    private Task ApplyAsync(RideListFilter changed)
    {
        filter = changed;
        return ReloadAsync();
    }

    private Task FromChanged(DateTime? value) => ApplyAsync(filter with { From = value });

    private Task ToChanged(DateTime? value) => ApplyAsync(filter with { To = value });

    private Task DeviceChanged(string? value) => ApplyAsync(filter with { Device = string.IsNullOrWhiteSpace(value) ? null : value });

    private Task StatusChanged(RideStatus? value) => ApplyAsync(filter with { Status = value });

    private Task CrashChanged(bool? value) => ApplyAsync(filter with { Crash = value });

    private Task TextChanged(string? value) => ApplyAsync(filter with { Text = string.IsNullOrWhiteSpace(value) ? null : value.Trim() });

    private void Toggle(Guid rideId, bool on)
    {
        if (on && selected.Count < 2)
        {
            selected.Add(rideId);
        }
        else if (!on)
        {
            selected.Remove(rideId);
        }
    }

    private void Compare()
    {
        if (selected.Count == 2)
        {
            var pair = selected.ToArray();
            Navigation.NavigateTo($"/rides/compare?a={pair[0]}&b={pair[1]}");
        }
    }

    internal static double? MaxLean(RideMetrics? metrics) =>
        metrics is null ? null
        : metrics.MaxLeanLeftDeg is { } left && metrics.MaxLeanRightDeg is { } right ? Math.Max(left, right)
        : metrics.MaxLeanLeftDeg ?? metrics.MaxLeanRightDeg;

    public void Dispose()
    {
        poller?.Dispose();
        disposal.Cancel();
        disposal.Dispose();
    }
}
