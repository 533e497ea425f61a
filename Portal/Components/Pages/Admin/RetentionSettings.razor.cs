using System.Globalization;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Jobs.Pipeline;

namespace Portal.Components.Pages.Admin;

public sealed record RetentionJobStatus(string? Cron, DateTime? NextExecution, DateTime? LastExecution, string? LastState, string? LastResult, string? Error);

public sealed record DeletedRawFile(Guid RideId, string FileName, string Rider, DateTimeOffset UploadedAt, DateTimeOffset? Deadline);

/// <summary>
/// /admin/retention: the configured raw retention (a start-up setting, shown read-only), the recurring retention
/// job's next and last run from Hangfire, and the raw files its latest run deleted (from the catalog).
/// </summary>
public sealed partial class RetentionSettings
{
    private const int ShownDeletions = 100;

    private RetentionJobStatus? job;
    private IReadOnlyList<DeletedRawFile>? deleted;
    private DateTimeOffset? lastDeletionAt;
    private int pending;

    [Inject]
    private IOptions<RetentionOptions> RetentionOptionsAccessor { get; set; } = default!;

    [Inject]
    private JobStorage Storage { get; set; } = default!;

    [Inject]
    private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    private RetentionOptions Options => RetentionOptionsAccessor.Value;

    protected override async Task OnInitializedAsync()
    {
        job = await Task.Run(ReadJob);
        await using var db = await Catalog.CreateDbContextAsync();
        pending = await db.Rides.CountAsync(r => r.RawRetainUntil != null && r.RawDeletedAt == null);

        // One run stamps every ride it deletes with the same instant.
        lastDeletionAt = await db.Rides.Where(r => r.RawDeletedAt != null).OrderByDescending(r => r.RawDeletedAt).Select(r => r.RawDeletedAt).FirstOrDefaultAsync();
        deleted = lastDeletionAt is not { } at
            ? []
            : await (
                from r in db.Rides.AsNoTracking().Where(r => r.RawDeletedAt == at)
                join p in db.Riders on r.OwnerId equals p.UserId into owners
                from p in owners.DefaultIfEmpty()
                orderby r.UploadedAt
                select new DeletedRawFile(r.Id, r.FileName, p == null ? r.OwnerId.ToString() : p.Email, r.UploadedAt, r.RawRetainUntil))
                .Take(ShownDeletions)
                .ToListAsync();
    }

    private RetentionJobStatus ReadJob()
    {
        try
        {
            using var connection = Storage.GetConnection();
            var recurring = connection.GetRecurringJobs([PipelineHostingExtensions.RetentionJobId]).FirstOrDefault(j => !j.Removed);
            if (recurring is null)
            {
                return new RetentionJobStatus(null, null, null, null, null, null);
            }

            string? result = null;
            if (recurring.LastJobId is { } lastJobId)
            {
                var details = Storage.GetMonitoringApi().JobDetails(lastJobId);
                var succeeded = details?.History.FirstOrDefault(h => h.StateName == "Succeeded");
                if (succeeded?.Data is { } data && data.TryGetValue("Result", out var value))
                {
                    result = $"{value} raw file(s)";
                }
            }

            return new RetentionJobStatus(recurring.Cron, recurring.NextExecution, recurring.LastExecution, recurring.LastJobState, result, null);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            return new RetentionJobStatus(null, null, null, null, null, $"The Hangfire storage cannot be queried: {failure.Message}");
        }
    }

    private static string Format(DateTime? utc) =>
        utc is { } at ? at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";
}
