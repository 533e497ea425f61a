using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Laps;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Components.Pages.Rides;

/// <summary>
/// One ride: metrics, traces, g-g diagram, track map, the raw download window and, for admins, re-analysis.
/// Follows a queued or processing ride live until its analysis ends. Someone else's ride looks missing, as in the API.
/// </summary>
public sealed partial class RideDetail : IDisposable
{
    /// <summary>How often a ride that is still queued or processing is read again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1.5);

    private readonly CancellationTokenSource disposal = new();
    private Guid? loadedId;
    private bool loaded;
    private RideDto? ride;
    private RiderCategory ownerCategory;
    private RideTraces? traces;
    private DateTimeOffset? tracesOf;
    private bool tracesMissing;
    private (double Latitude, double Longitude)? crashPosition;
    private StartFinishLine? lapLine;
    private bool reanalysing;
    private bool interactive;
    private PollingTimer? poller;

    [Parameter] public Guid Id { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private IObjectStorage Storage { get; set; } = default!;

    [Inject] private IRideJobScheduler Scheduler { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        if (loadedId != Id)
        {
            loadedId = Id;
            loaded = false;
            traces = null;
            tracesOf = null;
            await LoadAsync(disposal.Token);
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            interactive = true;
            UpdatePolling();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var caller = (await AuthenticationState).User.ToRideCaller();
        await using (var db = await Catalog.CreateDbContextAsync(cancellationToken))
        {
            var entity = caller is null ? null : await db.FindVisibleRideAsync(caller, Id, cancellationToken);
            ride = entity is null ? null : RideDto.From(entity, Time.GetUtcNow());
            if (entity is not null)
            {
                ownerCategory = await db.Riders.AsNoTracking()
                    .Where(p => p.UserId == entity.OwnerId)
                    .Select(p => p.Category)
                    .FirstOrDefaultAsync(cancellationToken);
            }
        }

        loaded = true;
        if (ride is { Status: RideStatus.Analyzed } analysed && (traces is null || tracesOf != analysed.AnalyzedAt) && !tracesMissing)
        {
            traces = await RideTracesReader.ReadAsync(Storage, analysed.Id, cancellationToken);
            tracesMissing = traces is null;
            tracesOf = analysed.AnalyzedAt;
            crashPosition = RideTracesReader.PositionAt(traces, analysed.CrashTimeS);
            lapLine = LapDetector.Detect(traces)?.Line;
        }

        UpdatePolling();
    }

    /// <summary>Polls only while the ride can still change by itself, and only once the circuit is interactive.</summary>
    private void UpdatePolling()
    {
        var waiting = ride is not null && !RideStatusChip.IsFinal(ride.Status);
        if (waiting && interactive && poller is null)
        {
            poller = new PollingTimer(Time, RefreshInterval, () => InvokeAsync(RefreshAsync));
        }
        else if (!waiting && poller is not null)
        {
            poller.Dispose();
            poller = null;
        }
    }

    private async Task RefreshAsync()
    {
        if (disposal.IsCancellationRequested)
        {
            return;
        }

        await LoadAsync(disposal.Token);
        StateHasChanged();
    }

    /// <summary>Enqueues a re-analysis exactly as <c>POST /api/rides/{id}/analyze</c> does.</summary>
    private async Task ReanalyseAsync()
    {
        reanalysing = true;
        try
        {
            var user = (await AuthenticationState).User;
            await using (var db = await Catalog.CreateDbContextAsync(disposal.Token))
            {
                var result = await RidesApi.AnalyzeRide(Id, user, db, Scheduler, Time, disposal.Token);
                if (result.Result is ProblemHttpResult problem)
                {
                    Snackbar.Add(problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "The ride cannot be re-analysed.", Severity.Warning);
                }
                else
                {
                    Snackbar.Add("Re-analysis queued.", Severity.Info);
                }
            }

            tracesMissing = false;
            await LoadAsync(disposal.Token);
        }
        finally
        {
            reanalysing = false;
        }
    }

    internal static string SourceText(RideSource source) => source switch
    {
        RideSource.Web => "web upload",
        RideSource.Bulk => "bulk upload",
        RideSource.Device => "from the device",
        RideSource.Live => "live session",
        RideSource.Api => "API upload",
        _ => source.ToString(),
    };

    internal static string FileSize(long bytes) => bytes switch
    {
        >= 1024 * 1024 => (bytes / 1024d / 1024d).ToString("0.0", CultureInfo.CurrentCulture) + " MB",
        >= 1024 => (bytes / 1024d).ToString("0", CultureInfo.CurrentCulture) + " kB",
        _ => bytes.ToString(CultureInfo.CurrentCulture) + " B",
    };

    public void Dispose()
    {
        poller?.Dispose();
        disposal.Cancel();
        disposal.Dispose();
    }
}
