using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Api;
using Portal.Components.Pages.Rides;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Core.Live;

namespace Portal.Components.Pages.Live;

/// <summary>
/// /live?device=ID: the caller's devices (admin all, technician the team's, rider their own) with their online state,
/// and the picked device's stream refreshed every second. Watching starts only once the circuit is interactive and
/// stops when the page goes away. Someone else's device looks missing, as in the API.
/// </summary>
public sealed partial class LiveView : IAsyncDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>The device list (online states) is read again every this many refreshes.</summary>
    private const int DeviceListEveryTicks = 10;

    private readonly CancellationTokenSource disposal = new();
    private readonly SemaphoreSlim watchGate = new(1, 1);
    private List<LiveDeviceRow>? devices;
    private LiveDeviceRow? selected;
    private string? loadedFor;
    private bool interactive;
    private LiveWatch? watch;
    private LiveSnapshot snapshot = LiveSnapshot.Empty;
    private DateTimeOffset now;
    private PollingTimer? poller;
    private int ticks;
    private Guid? endedRideId;

    [SupplyParameterFromQuery(Name = "device")] public string? Device { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private LiveFeed Feed { get; set; } = default!;

    [Inject] private IOptions<LiveViewOptions> Options { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        if (devices is null || loadedFor != Device)
        {
            loadedFor = Device;
            await LoadDevicesAsync(disposal.Token);
            if (interactive)
            {
                await UpdateWatchAsync();
            }
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            await UpdateWatchAsync();
            poller = new PollingTimer(Time, RefreshInterval, () => InvokeAsync(RefreshAsync));
            StateHasChanged();
        }
    }

    private async Task LoadDevicesAsync(CancellationToken cancellationToken)
    {
        now = Time.GetUtcNow();
        var caller = (await AuthenticationState).User.ToRideCaller();
        if (caller is null)
        {
            devices = [];
            selected = null;
            return;
        }

        await using var db = await Catalog.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<Device>().AsNoTracking().VisibleTo(db, caller)
            .Select(d => new LiveDeviceRow(
                d.Id, d.Name, d.Disabled, d.LastSeenAt,
                db.Riders.Where(r => r.UserId == d.RiderId).Select(r => r.DisplayName).FirstOrDefault() ?? ""))
            .ToListAsync(cancellationToken);
        devices = [.. rows.OrderByDescending(IsOnline).ThenBy(d => d.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(d => d.Id, StringComparer.Ordinal)];
        selected = Device is null ? null : devices.FirstOrDefault(d => d.Id == Device);
    }

    /// <summary>Watches the selected device, and only it; the previous one is let go first. One change at a time.</summary>
    private async Task UpdateWatchAsync()
    {
        await watchGate.WaitAsync(CancellationToken.None);
        try
        {
            if (watch is not null && watch.DeviceId != selected?.Id)
            {
                await watch.DisposeAsync();
                watch = null;
                snapshot = LiveSnapshot.Empty;
            }

            if (watch is null && selected is not null && !disposal.IsCancellationRequested)
            {
                watch = await Feed.WatchAsync(selected.Id, disposal.Token);
                snapshot = watch.Snapshot();
            }
        }
        catch (OperationCanceledException) when (disposal.IsCancellationRequested)
        {
            // The page went away while the watch started.
        }
        finally
        {
            watchGate.Release();
        }
    }

    private async Task RefreshAsync()
    {
        if (disposal.IsCancellationRequested)
        {
            return;
        }

        now = Time.GetUtcNow();
        if (++ticks % DeviceListEveryTicks == 0)
        {
            await LoadDevicesAsync(disposal.Token);
        }

        snapshot = watch?.Snapshot() ?? LiveSnapshot.Empty;
        await FindEndedRideAsync(disposal.Token);
        StateHasChanged();
    }

    /// <summary>Once the session ended, looks (every refresh until found) for the ride it became, so the card can open it.</summary>
    private async Task FindEndedRideAsync(CancellationToken cancellationToken)
    {
        if (!snapshot.SessionEnded || selected is null)
        {
            endedRideId = null;
            return;
        }

        if (endedRideId is not null || snapshot.LastReceivedAt is not { } lastReceived || (await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return;
        }

        var since = lastReceived - (snapshot.SessionDuration ?? TimeSpan.Zero);
        await using var db = await Catalog.CreateDbContextAsync(cancellationToken);
        endedRideId = await db.FindLatestLiveRideAsync(caller, selected.Id, since, cancellationToken);
    }

    private bool IsOnline(LiveDeviceRow device)
    {
        var since = now - TimeSpan.FromSeconds(Options.Value.OnlineSeconds);
        return !device.Disabled && (device.LastSeenAt >= since || Feed.LastReceivedAt(device.Id) >= since);
    }

    private static string LinkTo(string deviceId) => "/live?device=" + Uri.EscapeDataString(deviceId);

    public async ValueTask DisposeAsync()
    {
        poller?.Dispose();
        await disposal.CancelAsync();
        await watchGate.WaitAsync(CancellationToken.None);
        try
        {
            if (watch is not null)
            {
                await watch.DisposeAsync();
                watch = null;
            }
        }
        finally
        {
            watchGate.Release();
        }
    }

    private sealed record LiveDeviceRow(string Id, string Name, bool Disabled, DateTimeOffset? LastSeenAt, string RiderName);
}
