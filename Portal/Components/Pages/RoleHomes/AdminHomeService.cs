using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portal.Components.Pages.RoleHomes;

public sealed record HealthLine(string Name, HealthStatus Status, string? Description);

public sealed record WorkerLine(string Name, int Workers, IReadOnlyList<string> Queues, DateTime? Heartbeat);

public sealed record RecentError(string Job, string Reason, DateTime? FailedAt);

/// <summary>A user waiting for an admin to approve their registration.</summary>
public sealed record PendingUser(Guid UserId, string Email, DateTimeOffset RegisteredAt);

/// <summary>The admin's home: jobs failing or queued, live workers, health of broker, storage and database, recent errors.</summary>
public sealed record AdminHomeData(
    long Queued, long Processing, long Failed, IReadOnlyList<WorkerLine> Workers, IReadOnlyList<HealthLine> Health,
    IReadOnlyList<RecentError> RecentErrors, IReadOnlyList<PendingUser> AwaitingApproval, string? HangfireError);

/// <summary>Reads what the admin home shows from Hangfire's monitoring API and the registered health checks.</summary>
public sealed class AdminHomeService(JobStorage jobs, HealthCheckService health)
{
    public const int RecentErrorCount = 5;

    public async Task<AdminHomeData> ReadAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var lines = report.Entries
            .Select(e => new HealthLine(e.Key, e.Value.Status, e.Value.Description ?? e.Value.Exception?.Message))
            .OrderBy(l => l.Name, StringComparer.Ordinal)
            .ToList();
        var pending = await UsersAwaitingApprovalAsync(cancellationToken);
        try
        {
            // Hangfire's monitoring API is synchronous and may hit the database: off the circuit's thread.
            return await Task.Run(() =>
            {
                var monitoring = jobs.GetMonitoringApi();
                var statistics = monitoring.GetStatistics();
                var workers = monitoring.Servers()
                    .Select(s => new WorkerLine(s.Name, s.WorkersCount, s.Queues.ToList(), s.Heartbeat))
                    .ToList();
                var failed = monitoring.FailedJobs(0, RecentErrorCount)
                    .Select(j => new RecentError(
                        j.Value.Job is { } job ? $"{job.Type.Name}.{job.Method.Name}" : "(unknown job)",
                        j.Value.ExceptionMessage ?? j.Value.Reason ?? "",
                        j.Value.FailedAt))
                    .ToList();
                return new AdminHomeData(statistics.Enqueued, statistics.Processing, statistics.Failed, workers, lines, failed, pending, null);
            }, cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            return new AdminHomeData(0, 0, 0, [], lines, [], pending, $"The Hangfire storage cannot be queried: {failure.Message}");
        }
    }

    /// <summary>
    /// Registrations waiting for approval. A placeholder that returns none until registration approval exists;
    /// the admin home already shows the list.
    /// </summary>
    public static Task<IReadOnlyList<PendingUser>> UsersAwaitingApprovalAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PendingUser>>([]);
}
