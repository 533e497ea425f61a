using System.Data.Common;
using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Jobs.Pipeline;

/// <summary>Stable failure codes the pipeline adds to the analyzer's own rejection codes.</summary>
public static class PipelineFailureCodes
{
    public const string RawMissing = "raw_missing";
    public const string AnalysisError = "analysis_error";
    public const string AnalysisUnavailable = "analysis_unavailable";
}

/// <summary>
/// Analyses one ride: raw object → analyzer → analytics objects and the ride's metrics. Reentrant and
/// idempotent: every output is overwritten, notifications are deduplicated and the crash job is
/// idempotent, so a run killed half-way and run again leaves one consistent result. A bad file fails
/// fast with its reason; storage and database hiccups are retried with backoff.
/// </summary>
public sealed class AnalyzeRideJob(
    CatalogDbContext db,
    IObjectStorage storage,
    IRideAnalyzer analyzer,
    IDeviceProfileResolver profiles,
    IRideJobScheduler scheduler,
    INotificationSink notifications,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<AnalyzeRideJob> logger)
{
    public const int RetryAttempts = 5;

    [Queue(PipelineQueues.Analytics)]
    [AutomaticRetry(Attempts = RetryAttempts, DelaysInSeconds = [10, 30, 120, 600, 1800], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task RunAsync(Guid rideId, PerformContext? context, CancellationToken cancellationToken)
    {
        var ride = await db.Rides.FirstOrDefaultAsync(r => r.Id == rideId, cancellationToken);
        if (ride is null)
        {
            logger.LogWarning("Ride {RideId} no longer exists; nothing to analyse", rideId);
            return;
        }

        if (ride.Status == RideStatus.Analyzed && ride.AnalysisVersion == AnalysisVersion.Current)
        {
            // Already done by an earlier run that stopped after saving: only make sure its follow-ups happened.
            await FollowUpAsync(ride, fileCrashAgain: false, cancellationToken);
            return;
        }

        try
        {
            await AnalyzeAsync(ride, context, cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException && !IsTransient(failure))
        {
            logger.LogError(failure, "Analysis of ride {RideId} failed", rideId);
            await FailAsync(ride, PipelineFailureCodes.AnalysisError, $"The analysis failed unexpectedly: {failure.Message}", cancellationToken);
        }
        catch (Exception failure) when (IsTransient(failure) && RetryCount(context) >= RetryAttempts)
        {
            logger.LogError(failure, "Analysis of ride {RideId} gave up after {Attempts} retries", rideId, RetryAttempts);
            await TryFailAfterRetriesAsync(rideId, failure);
            throw;
        }
    }

    private async Task AnalyzeAsync(Ride ride, PerformContext? context, CancellationToken cancellationToken)
    {
        ride.Status = RideStatus.Processing;
        ride.ProgressPercent = 0;
        ride.FailureCode = null;
        ride.FailureMessage = null;
        await db.SaveChangesAsync(cancellationToken);

        Stream raw;
        try
        {
            raw = await storage.OpenReadAsync(BucketKind.Raw, ride.RawKey, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            await FailAsync(ride, PipelineFailureCodes.RawMissing,
                ride.RawDeletedAt is { } deletedAt
                    ? $"The raw file was deleted on {deletedAt:yyyy-MM-dd} after its retention deadline; it cannot be analysed again."
                    : "The raw file is missing from storage.",
                cancellationToken);
            return;
        }

        RideAnalysis analysis;
        var profile = await profiles.FindAsync(ride.ProfileName, ride.DeviceId, cancellationToken);
        await using (raw)
        {
            await using var progress = new RideProgressReporter(scopes, ride.Id, context, time, logger);
            analysis = await analyzer.AnalyzeAsync(raw, profile, progress, cancellationToken);
        }

        if (analysis.Rejection is { } rejection)
        {
            ride.AnalysisVersion = analysis.AnalysisVersion;
            await FailAsync(ride, rejection.Code, rejection.Message, cancellationToken);
            return;
        }

        var metrics = analysis.Metrics ?? throw new InvalidOperationException("The analyzer returned neither a rejection nor metrics.");
        await PutAsync(BucketKind.Analytics, PipelineKeys.MetricsJson(ride.Id), PipelineJson.MetricsJson(metrics), "application/json", cancellationToken);
        await PutAsync(BucketKind.Analytics, PipelineKeys.MetricsCsv(ride.Id), PipelineJson.MetricsCsv(metrics), "text/csv", cancellationToken);
        await PutAsync(BucketKind.Analytics, PipelineKeys.Traces(ride.Id),
            JsonSerializer.SerializeToUtf8Bytes(analysis.Traces ?? new RideTraces([], []), PipelineJson.Options), "application/json", cancellationToken);

        var crash = metrics.CrashDetected ? analysis.Crash : null;
        if (crash is not null)
        {
            // The crash job reads these; writing them before the ride says "analysed" keeps a rerun consistent.
            await PutAsync(BucketKind.Crash, PipelineKeys.CrashFinding(ride.Id), JsonSerializer.SerializeToUtf8Bytes(crash, PipelineJson.Options), "application/json", cancellationToken);
            await PutAsync(BucketKind.Crash, PipelineKeys.CrashWindow(ride.Id), System.Text.Encoding.UTF8.GetBytes(analysis.CrashWindowCsv ?? ""), "text/csv", cancellationToken);
        }

        ride.Status = RideStatus.Analyzed;
        ride.ProgressPercent = 100;
        ride.AnalyzedAt = time.GetUtcNow();
        ride.AnalysisVersion = analysis.AnalysisVersion;
        ride.MetricsJson = System.Text.Encoding.UTF8.GetString(PipelineJson.MetricsJson(metrics));
        ride.DurationS = metrics.DurationS;
        ride.DistanceKm = metrics.DistanceKm;
        ride.MaxSpeedKmh = metrics.MaxSpeedKmh;
        ride.MaxLeanDeg = MaxOf(metrics.MaxLeanLeftDeg, metrics.MaxLeanRightDeg);
        ride.MaxDecelMs2 = metrics.MaxDecelMs2;
        ride.RowsSkipped = metrics.RowsSkipped;
        ride.CrashDetected = crash is not null;
        if (analysis.StartTime is { } startTime)
        {
            ride.StartedAt = startTime;
            ride.StartedAtIsUploadTime = false;
        }

        ride.PlaceName = RideTitles.PlaceOf(analysis.Traces);
        ride.CrashTimeS = crash is not null ? metrics.CrashTimeS ?? crash.TimeS : null;
        if (crash is not null)
        {
            ride.RawRetainUntil = null;
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Ride {RideId} analysed (version {Version}, crash {Crash})", ride.Id, ride.AnalysisVersion, ride.CrashDetected);
        await FollowUpAsync(ride, fileCrashAgain: true, cancellationToken);
    }

    /// <summary>Crash handling and notifications; safe to repeat.</summary>
    /// <param name="fileCrashAgain">A fresh analysis refreshes the crash record; a skipped rerun only files a missing one.</param>
    private async Task FollowUpAsync(Ride ride, bool fileCrashAgain, CancellationToken cancellationToken)
    {
        if (ride.CrashDetected && (fileCrashAgain || !await db.Set<CrashRecord>().AnyAsync(c => c.RideId == ride.Id, cancellationToken)))
        {
            scheduler.EnqueueCrashHandling(ride.Id);
        }

        await notifications.NotifyUserAsync(ride.OwnerId,
            new NotificationMessage(NotificationKind.RideAnalyzed, "Ride analysed", $"{ride.FileName}: {Summary(ride)}", ride.Id), cancellationToken);

        var rider = await db.Riders.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == ride.OwnerId, cancellationToken);
        if (rider?.Category == RiderCategory.Professional)
        {
            await notifications.NotifyRoleAsync(PortalRoleNames.RnD,
                new NotificationMessage(NotificationKind.ProfessionalSession, "New professional session",
                    $"{Display(rider)} — {ride.FileName}: {Summary(ride)}", ride.Id), cancellationToken);
        }
    }

    private async Task FailAsync(Ride ride, string code, string message, CancellationToken cancellationToken)
    {
        ride.Status = RideStatus.Failed;
        ride.ProgressPercent = 0;
        ride.FailureCode = code;
        ride.FailureMessage = message;
        ride.AnalyzedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning("Ride {RideId} failed: {Code} {Message}", ride.Id, code, message);
        await notifications.NotifyUserAsync(ride.OwnerId,
            new NotificationMessage(NotificationKind.RideFailed, "Ride could not be analysed", $"{ride.FileName}: {message}", ride.Id), cancellationToken);
    }

    private async Task TryFailAfterRetriesAsync(Guid rideId, Exception failure)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var fresh = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            await fresh.Rides.Where(r => r.Id == rideId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RideStatus.Failed)
                .SetProperty(r => r.FailureCode, PipelineFailureCodes.AnalysisUnavailable)
                .SetProperty(r => r.FailureMessage, $"Storage or database stayed unavailable: {failure.Message} Ask for a re-analysis later."));
        }
        catch (Exception stillFailing)
        {
            logger.LogError(stillFailing, "Could not record the failure of ride {RideId}", rideId);
        }
    }

    private async Task PutAsync(BucketKind bucket, string key, byte[] content, string contentType, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content, writable: false);
        await storage.PutAsync(bucket, key, stream, contentType, cancellationToken);
    }

    /// <summary>Failures that may pass on their own: worth Hangfire's retry with backoff.</summary>
    public static bool IsTransient(Exception failure) => failure switch
    {
        StorageUnavailableException or TimeoutException or HttpRequestException or DbException => true,
        DbUpdateException { InnerException: DbException } => true,
        IOException and not EndOfStreamException and not FileNotFoundException => true,
        _ => failure.InnerException is { } inner && inner != failure && IsTransient(inner),
    };

    private static int RetryCount(PerformContext? context) => context?.GetJobParameter<int>("RetryCount") ?? 0;

    private static double? MaxOf(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static string Display(RiderProfile rider) => rider.DisplayName is { Length: > 0 } name ? name : rider.Email;

    private static string Summary(Ride ride)
    {
        var parts = new List<string>();
        if (ride.DistanceKm is { } km)
        {
            parts.Add(FormattableString.Invariant($"{km:0.0} km"));
        }

        if (ride.MaxSpeedKmh is { } speed)
        {
            parts.Add(FormattableString.Invariant($"max {speed:0} km/h"));
        }

        if (ride.CrashDetected)
        {
            parts.Add("crash detected");
        }

        return parts.Count == 0 ? "metrics ready" : string.Join(", ", parts);
    }
}
