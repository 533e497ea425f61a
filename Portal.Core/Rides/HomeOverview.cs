using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;

namespace Portal.Core.Rides;

/// <summary>One ride as the home pages list it.</summary>
public sealed record HomeRide(
    Guid Id, Guid OwnerId, string RiderName, string FileName, string? Title, string? PlaceName, DateTimeOffset StartedAt, bool StartedAtIsUploadTime,
    DateTimeOffset UploadedAt, RideStatus Status, string? FailureMessage, double? DistanceKm, double? MaxSpeedKmh, bool CrashDetected);

/// <summary>What is new for a rider since their previous visit of the home page (null: first visit).</summary>
public sealed record RiderNews(DateTimeOffset? PreviousVisit, IReadOnlyList<HomeRide> AnalysedSince, int CrashesSince, IReadOnlyList<HomeRide> FailedUploads);

public sealed record QuietRider(Guid UserId, string Name, DateTimeOffset? LastSessionAt);

/// <summary>A technician's work: the team's latest sessions, riders gone quiet, sessions waiting or failed.</summary>
public sealed record TechnicianHome(IReadOnlyList<HomeRide> LatestSessions, IReadOnlyList<QuietRider> QuietRiders, IReadOnlyList<HomeRide> Waiting, IReadOnlyList<HomeRide> Failed, int TeamSize);

public sealed record CrashToReview(Guid CrashId, Guid RideId, string RiderName, DateTimeOffset DetectedAt, string Kind, double PeakG, double SpeedBeforeKmh);

/// <summary>R&amp;D's work: crashes without a verdict and the latest professional sessions.</summary>
public sealed record RnDHome(int UnlabelledCrashes, IReadOnlyList<CrashToReview> Crashes, IReadOnlyList<HomeRide> LatestProfessionalSessions);

/// <summary>The catalog queries of the role home pages; the pages only render what these return.</summary>
public sealed class HomeOverview(IDbContextFactory<CatalogDbContext> catalog, TimeProvider time)
{
    public const int ListLength = 8;
    public static readonly TimeSpan QuietAfter = TimeSpan.FromDays(30);

    /// <summary>What came after the rider's previous visit: rides analysed since, crashes among them, and failed uploads to dismiss.</summary>
    public async Task<RiderNews> RiderNewsAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await catalog.CreateDbContextAsync(cancellationToken);
        var me = caller.UserId;
        var previous = await db.Riders.AsNoTracking().Where(p => p.UserId == me).Select(p => p.LastHomeVisitAt).FirstOrDefaultAsync(cancellationToken);
        var mine = db.Rides.AsNoTracking().Where(r => r.OwnerId == me);
        var analysed = mine.Where(r => r.Status == RideStatus.Analyzed);
        if (previous is { } since)
        {
            analysed = analysed.Where(r => r.AnalyzedAt > since);
        }

        var news = await Project(db, analysed.OrderByDescending(r => r.AnalyzedAt).ThenByDescending(r => r.Id).Take(ListLength)).ToListAsync(cancellationToken);
        var crashes = previous is { } crashSince
            ? await mine.CountAsync(r => r.CrashDetected && r.AnalyzedAt > crashSince, cancellationToken)
            : await mine.CountAsync(r => r.CrashDetected, cancellationToken);
        var failed = await Project(db, mine.Where(r => r.Status == RideStatus.Failed).OrderByDescending(r => r.UploadedAt).ThenByDescending(r => r.Id).Take(ListLength))
            .ToListAsync(cancellationToken);
        return new RiderNews(previous, news, crashes, failed);
    }

    /// <summary>Remembers this visit, so the next one shows only what came after it. Only interactive renders call it (not the prerender).</summary>
    public async Task RecordHomeVisitAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await catalog.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        await db.Riders.Where(p => p.UserId == caller.UserId).ExecuteUpdateAsync(s => s.SetProperty(p => p.LastHomeVisitAt, now), cancellationToken);
    }

    public async Task<TechnicianHome> TechnicianAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await catalog.CreateDbContextAsync(cancellationToken);
        var me = caller.UserId;
        var team = db.Riders.AsNoTracking().Where(p => p.TechnicianId == me && p.TeamMembershipApproved);
        var teamRides = db.Rides.AsNoTracking().Where(r => team.Any(p => p.UserId == r.OwnerId));
        var latest = await Project(db, teamRides.Where(r => r.Status != RideStatus.Failed).OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(ListLength))
            .ToListAsync(cancellationToken);
        var waiting = await Project(db, teamRides.Where(r => r.Status == RideStatus.Queued || r.Status == RideStatus.Processing)
            .OrderBy(r => r.UploadedAt).ThenBy(r => r.Id).Take(ListLength)).ToListAsync(cancellationToken);
        var failed = await Project(db, teamRides.Where(r => r.Status == RideStatus.Failed).OrderByDescending(r => r.UploadedAt).ThenByDescending(r => r.Id).Take(ListLength))
            .ToListAsync(cancellationToken);

        var quietBefore = time.GetUtcNow() - QuietAfter;
        var members = await team
            .Select(p => new
            {
                p.UserId,
                Name = p.DisplayName != "" ? p.DisplayName : p.Email,
                Last = db.Rides.Where(r => r.OwnerId == p.UserId && r.Status != RideStatus.Failed).Max(r => (DateTimeOffset?)r.StartedAt),
            })
            .ToListAsync(cancellationToken);
        var quiet = members
            .Where(m => m.Last is null || m.Last < quietBefore)
            .OrderBy(m => m.Last ?? DateTimeOffset.MinValue).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
            .Select(m => new QuietRider(m.UserId, m.Name, m.Last))
            .ToList();
        return new TechnicianHome(latest, quiet, waiting, failed, members.Count);
    }

    public async Task<RnDHome> RnDAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await catalog.CreateDbContextAsync(cancellationToken);
        var open = db.Set<CrashRecord>().AsNoTracking().Where(c => c.Label == CrashLabel.None);
        var count = await open.CountAsync(cancellationToken);
        var crashes = await open
            .OrderByDescending(c => c.DetectedAt).ThenByDescending(c => c.Id)
            .Take(ListLength)
            .Select(c => new CrashToReview(
                c.Id, c.RideId,
                db.Riders.Where(p => p.UserId == c.RiderId).Select(p => p.DisplayName != "" ? p.DisplayName : p.Email).FirstOrDefault() ?? "(rider withheld)",
                c.DetectedAt, c.Kind, c.PeakG, c.SpeedBeforeKmh))
            .ToListAsync(cancellationToken);
        var professional = db.Rides.AsNoTracking().VisibleTo(db, caller)
            .Where(r => r.Status != RideStatus.Failed && db.Riders.Any(p => p.UserId == r.OwnerId && p.Category == RiderCategory.Professional));
        var sessions = await Project(db, professional.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(ListLength)).ToListAsync(cancellationToken);
        return new RnDHome(count, crashes, sessions);
    }

    /// <summary>Failed uploads among the rides the caller sees: listed apart from the rides, to review or dismiss.</summary>
    public async Task<int> CountFailedVisibleAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await catalog.CreateDbContextAsync(cancellationToken);
        return await db.Rides.AsNoTracking().VisibleTo(db, caller).CountAsync(r => r.Status == RideStatus.Failed, cancellationToken);
    }

    /// <summary>Riders whose rides the caller sees, for the ride list's rider filter (a technician: self and the team).</summary>
    public async Task<IReadOnlyList<QuietRider>> RidersVisibleToAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await catalog.CreateDbContextAsync(cancellationToken);
        var me = caller.UserId;
        var riders = db.Riders.AsNoTracking();
        if (!caller.SeesAllRides)
        {
            riders = caller.IsTechnician
                ? riders.Where(p => p.UserId == me || (p.TechnicianId == me && p.TeamMembershipApproved))
                : riders.Where(p => p.UserId == me);
        }

        var list = await riders.OrderBy(p => p.DisplayName).ThenBy(p => p.Email).Take(500)
            .Select(p => new QuietRider(p.UserId, p.DisplayName != "" ? p.DisplayName : p.Email, null))
            .ToListAsync(cancellationToken);
        return list;
    }

    /// <summary>The rider's name as a scalar subquery, so the rides' own order (and Take) stands.</summary>
    private static IQueryable<HomeRide> Project(CatalogDbContext db, IQueryable<Ride> rides) =>
        rides.Select(r => new HomeRide(
            r.Id, r.OwnerId,
            db.Riders.Where(p => p.UserId == r.OwnerId).Select(p => p.DisplayName != "" ? p.DisplayName : p.Email).FirstOrDefault() ?? "",
            r.FileName, r.Title, r.PlaceName, r.StartedAt, r.StartedAtIsUploadTime,
            r.UploadedAt, r.Status, r.FailureMessage, r.DistanceKm, r.MaxSpeedKmh, r.CrashDetected));
}
