using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Components.Pages.Rides;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.ProSessions;

public sealed record ProSessionRow(
    Guid RideId,
    string RiderName,
    string FileName,
    DateTimeOffset UploadedAt,
    RideStatus Status,
    int ProgressPercent,
    string? FailureMessage,
    double? DurationS,
    double? DistanceKm,
    double? MaxSpeedKmh,
    double? MaxLeanDeg,
    double? MaxDecelMs2,
    bool CrashDetected);

/// <summary>/pro-sessions: professional riders' newest sessions, refreshed while sessions are being analysed.</summary>
public sealed partial class ProSessionsFeed
{
    public const int PageSize = 25;
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource stop = new();
    private PollingTimer? poller;
    private IReadOnlyList<ProSessionRow>? sessions;
    private int total;
    private int page = 1;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private int PageCount => (total + PageSize - 1) / PageSize;

    protected override Task OnInitializedAsync() => LoadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            // The same skip-if-busy timer as the ride pages, on the injected clock.
            poller = new PollingTimer(Time, RefreshInterval, () => InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            }));
        }
    }

    private async Task LoadAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            sessions = [];
            return;
        }

        await using var db = await Catalog.CreateDbContextAsync(stop.Token);
        var professional =
            from r in db.Rides.AsNoTracking().VisibleTo(db, caller)
            join p in db.Riders on r.OwnerId equals p.UserId
            where p.Category == RiderCategory.Professional
            select new { Ride = r, Rider = p };
        total = await professional.CountAsync(stop.Token);
        sessions = await professional
            .OrderByDescending(x => x.Ride.UploadedAt)
            .Skip((page - 1) * PageSize)
            .Take(PageSize)
            .Select(x => new ProSessionRow(
                x.Ride.Id, x.Rider.DisplayName != "" ? x.Rider.DisplayName : x.Rider.Email, x.Ride.FileName, x.Ride.UploadedAt,
                x.Ride.Status, x.Ride.ProgressPercent, x.Ride.FailureMessage, x.Ride.DurationS, x.Ride.DistanceKm,
                x.Ride.MaxSpeedKmh, x.Ride.MaxLeanDeg, x.Ride.MaxDecelMs2, x.Ride.CrashDetected))
            .ToListAsync(stop.Token);
    }

    private async Task PageChangedAsync(int selected)
    {
        page = selected;
        await LoadAsync();
    }

    private static Color ColorOf(RideStatus status) => status switch
    {
        RideStatus.Analyzed => Color.Success,
        RideStatus.Failed => Color.Error,
        RideStatus.Processing => Color.Info,
        _ => Color.Default,
    };

    public async ValueTask DisposeAsync()
    {
        poller?.Dispose();
        await stop.CancelAsync();
        stop.Dispose();
    }
}
