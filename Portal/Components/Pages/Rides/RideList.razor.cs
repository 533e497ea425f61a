using System.Globalization;
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

/// <summary>What the ride list is filtered by; dates are whole days of the ride's own time (UTC), <see cref="To"/> inclusive.</summary>
public sealed record RideListFilter(DateTime? From = null, DateTime? To = null, string? Device = null, RideStatus? Status = null, bool? Crash = null, string? Text = null, Guid? Rider = null)
{
    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>The filter of a bookmarked URL; values that do not parse are ignored rather than failing the page.</summary>
    public static RideListFilter Parse(string? from, string? to, string? device, string? status, string? crash, string? text, string? rider = null) => new(
        ParseDate(from),
        ParseDate(to),
        string.IsNullOrWhiteSpace(device) ? null : device.Trim(),
        Enum.TryParse<RideStatus>(status, ignoreCase: true, out var parsedStatus) && Enum.IsDefined(parsedStatus) ? parsedStatus : null,
        bool.TryParse(crash, out var parsedCrash) ? parsedCrash : null,
        string.IsNullOrWhiteSpace(text) ? null : text.Trim(),
        Guid.TryParse(rider, out var parsedRider) ? parsedRider : null);

    /// <summary>The query-string values of this filter (null removes a parameter), in the names <see cref="Parse"/> reads.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        ["from"] = From?.ToString(DateFormat, CultureInfo.InvariantCulture),
        ["to"] = To?.ToString(DateFormat, CultureInfo.InvariantCulture),
        ["device"] = Device,
        ["status"] = Status?.ToString().ToLowerInvariant(),
        ["crash"] = Crash is { } crash ? (crash ? "true" : "false") : null,
        ["q"] = Text,
        ["rider"] = Rider?.ToString(),
    };

    private static DateTime? ParseDate(string? value) =>
        DateTime.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
}

/// <summary>
/// The rides the user may see, filtered, sorted and paged on the server by the API's own list query; rows that
/// are queued or processing are refreshed every <see cref="RefreshInterval"/> until none is left.
/// Filters, sort and page live in the query string (<c>/rides?status=analyzed&amp;crash=true&amp;from=2026-05-01&amp;page=2</c>),
/// so a list is a bookmark: a change navigates to the updated URL and the page follows the URL.
/// </summary>
public sealed partial class RideList : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1.5);
    public const string DefaultSort = "-startedAt";
    public const int DefaultPageSize = 25;

    private readonly CancellationTokenSource disposal = new();
    private readonly HashSet<Guid> selected = [];
    private MudTable<RideDto>? table;
    private RideListFilter filter = new();
    private IReadOnlyList<string> devices = [];
    private bool interactive;
    private bool showRider;
    private Guid userId;
    private int failedCount;
    private IReadOnlyList<QuietRider> riders = [];
    private bool waitingRows;
    private PollingTimer? poller;

    private int pageIndex;
    private int pageSize = DefaultPageSize;

    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }

    [SupplyParameterFromQuery(Name = "device")] public string? Device { get; set; }

    [SupplyParameterFromQuery(Name = "status")] public string? Status { get; set; }

    [SupplyParameterFromQuery(Name = "crash")] public string? Crash { get; set; }

    [SupplyParameterFromQuery(Name = "q")] public string? Q { get; set; }

    [SupplyParameterFromQuery(Name = "rider")] public string? RiderId { get; set; }

    /// <summary>A sort label of the table, "-" first for descending (<c>-uploadedAt</c>, the default).</summary>
    [SupplyParameterFromQuery(Name = "sort")] public string? Sort { get; set; }

    /// <summary>1-based.</summary>
    [SupplyParameterFromQuery(Name = "page")] public string? PageNumber { get; set; }

    [SupplyParameterFromQuery(Name = "size")] public string? PageSizeText { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [Inject] private HomeOverview Overview { get; set; } = default!;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return;
        }

        userId = caller.UserId;
        showRider = caller.IsTechnician || caller.SeesAllRides;
        if (showRider)
        {
            riders = await Overview.RidersVisibleToAsync(caller, disposal.Token);
        }

        failedCount = await Overview.CountFailedVisibleAsync(caller, disposal.Token);
        await using var db = await Catalog.CreateDbContextAsync(disposal.Token);
        devices = await db.Rides.AsNoTracking().VisibleTo(db, caller)
            .Where(r => r.DeviceId != null)
            .Select(r => r.DeviceId!)
            .Distinct()
            .OrderBy(d => d)
            .Take(200)
            .ToListAsync(disposal.Token);
    }

    protected override async Task OnParametersSetAsync()
    {
        var wanted = RideListFilter.Parse(From, To, Device, Status, Crash, Q, RiderId);
        pageIndex = int.TryParse(PageNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page > 1 ? page - 1 : 0;
        pageSize = int.TryParse(PageSizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0 ? Math.Min(size, RidesApi.MaxPageSize) : DefaultPageSize;
        if (wanted != filter)
        {
            filter = wanted;
            await ReloadAsync();
        }
    }

    private string EffectiveSort => string.IsNullOrWhiteSpace(Sort) ? DefaultSort : Sort;

    /// <summary>The direction a column starts in: the one of the URL's sort.</summary>
    private SortDirection InitialDirection(string label) =>
        EffectiveSort.TrimStart('-') != label ? SortDirection.None
        : EffectiveSort.StartsWith('-') ? SortDirection.Descending : SortDirection.Ascending;

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
            Rider: filter.Rider,
            ExcludeFailed: filter.Status is null,
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
        KeepInUrl(sort ?? "", state.Page, state.PageSize);
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

    /// <summary>A new filter goes into the URL (back to the first page); the page follows the URL in <see cref="OnParametersSetAsync"/>.</summary>
    private Task ApplyAsync(RideListFilter changed)
    {
        var query = new Dictionary<string, object?>(changed.ToQuery()) { ["page"] = null };
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query));
        return Task.CompletedTask;
    }

    /// <summary>Sorting and paging happen inside the table: write them to the URL when they differ from it.</summary>
    private void KeepInUrl(string sort, int page, int size)
    {
        var sortValue = sort.Length == 0 || sort == DefaultSort ? null : sort;
        var pageValue = page > 0 ? (page + 1).ToString(CultureInfo.InvariantCulture) : null;
        var sizeValue = size == DefaultPageSize ? null : size.ToString(CultureInfo.InvariantCulture);
        var currentSort = EffectiveSort == DefaultSort ? null : EffectiveSort;
        var currentPage = pageIndex > 0 ? (pageIndex + 1).ToString(CultureInfo.InvariantCulture) : null;
        var currentSize = pageSize == DefaultPageSize ? null : pageSize.ToString(CultureInfo.InvariantCulture);
        if (sortValue != currentSort || pageValue != currentPage || sizeValue != currentSize)
        {
            Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
            {
                ["sort"] = sortValue,
                ["page"] = pageValue,
                ["size"] = sizeValue,
            }));
        }
    }

    private Task FromChanged(DateTime? value) => ApplyAsync(filter with { From = value });

    private Task ToChanged(DateTime? value) => ApplyAsync(filter with { To = value });

    private Task DeviceChanged(string? value) => ApplyAsync(filter with { Device = string.IsNullOrWhiteSpace(value) ? null : value });

    private Task StatusChanged(RideStatus? value) => ApplyAsync(filter with { Status = value });

    private Task CrashChanged(bool? value) => ApplyAsync(filter with { Crash = value });

    private Task RiderChanged(Guid? value) => ApplyAsync(filter with { Rider = value });

    private string RiderName(Guid ownerId) => riders.FirstOrDefault(r => r.UserId == ownerId)?.Name ?? "—";

    /// <summary>A failed upload is dismissed for good: the ride, its raw file and metrics are deleted.</summary>
    private async Task DismissAsync(Guid rideId)
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return;
        }

        await using var scope = Scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<RideEditing>().DeleteAsync(caller, rideId, disposal.Token);
        if (result.Outcome == RideEditOutcome.Done)
        {
            Snackbar.Add("Failed upload dismissed.", Severity.Normal);
            failedCount = await Overview.CountFailedVisibleAsync(caller, disposal.Token);
            await ReloadAsync();
        }
        else
        {
            Snackbar.Add(result.Error ?? "The upload could not be dismissed.", Severity.Error);
        }
    }

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
