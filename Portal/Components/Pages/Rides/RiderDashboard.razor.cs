using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Components.Charts;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Rides;

/// <summary>
/// The rider's home: crash alerts, totals for this week / month / season, the last rides and trends over the
/// last weeks. "Now" comes from the injected clock; weeks start on Monday, the season is the calendar year (UTC).
/// </summary>
public sealed partial class RiderDashboard
{
    public const int LastRideCount = 5;
    public const int TrendWeeks = 12;

    private DashboardData? data;

    /// <summary>The rider's category as the home page already read it.</summary>
    [Parameter] public RiderCategory? Category { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            data = DashboardData.Build([], [], [], Time.GetUtcNow());
            return;
        }

        var me = caller.UserId;
        var now = Time.GetUtcNow();
        var from = DashboardData.TrendStart(now);
        await using var db = await Catalog.CreateDbContextAsync();
        var mine = db.Rides.AsNoTracking().Where(r => r.OwnerId == me);
        var recent = await mine.Where(r => r.UploadedAt >= from).Select(DashboardRide.Projection).ToListAsync();
        var last = await mine.OrderByDescending(r => r.UploadedAt).ThenByDescending(r => r.Id).Take(LastRideCount).Select(DashboardRide.Projection).ToListAsync();
        var crashes = await mine.Where(r => r.CrashDetected).OrderByDescending(r => r.UploadedAt).Take(3).Select(DashboardRide.Projection).ToListAsync();
        data = DashboardData.Build(recent, last, crashes, now);
    }
}

/// <summary>The columns of a ride the dashboard shows.</summary>
public sealed record DashboardRide(
    Guid Id, string FileName, DateTimeOffset UploadedAt, RideStatus Status, int ProgressPercent,
    double? DistanceKm, double? DurationS, double? MaxSpeedKmh, double? MaxLeanDeg, double? MaxDecelMs2, bool CrashDetected)
{
    public static readonly System.Linq.Expressions.Expression<Func<Ride, DashboardRide>> Projection = r => new DashboardRide(
        r.Id, r.FileName, r.UploadedAt, r.Status, r.ProgressPercent, r.DistanceKm, r.DurationS, r.MaxSpeedKmh, r.MaxLeanDeg, r.MaxDecelMs2, r.CrashDetected);
}

/// <summary>Totals of one period over the analysed rides uploaded in it.</summary>
public sealed record PeriodTotal(string Key, string Title, double DistanceKm, double RidingHours, int Rides);

public sealed record DashboardData(
    IReadOnlyList<PeriodTotal> Totals,
    IReadOnlyList<DashboardRide> LastRides,
    IReadOnlyList<DashboardRide> Crashes,
    IReadOnlyList<TrendPoint> WeeklyDistance,
    IReadOnlyList<TrendPoint> MaxLean,
    IReadOnlyList<TrendPoint> MaxSpeed,
    IReadOnlyList<TrendPoint> MaxBraking)
{
    public static DateTimeOffset WeekStart(DateTimeOffset now)
    {
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    public static DateTimeOffset MonthStart(DateTimeOffset now) => new(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset SeasonStart(DateTimeOffset now) => new(now.UtcDateTime.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The earliest upload the dashboard needs: the season's start or the first trend week, whichever is earlier.</summary>
    public static DateTimeOffset TrendStart(DateTimeOffset now)
    {
        var firstWeek = WeekStart(now).AddDays(-7 * (RiderDashboard.TrendWeeks - 1));
        var season = SeasonStart(now);
        return firstWeek < season ? firstWeek : season;
    }

    public static DashboardData Build(IReadOnlyList<DashboardRide> recent, IReadOnlyList<DashboardRide> last, IReadOnlyList<DashboardRide> crashes, DateTimeOffset now)
    {
        var analysed = recent.Where(r => r.Status == RideStatus.Analyzed).OrderBy(r => r.UploadedAt).ToList();
        PeriodTotal Total(string key, string title, DateTimeOffset from)
        {
            var rides = analysed.Where(r => r.UploadedAt >= from && r.UploadedAt <= now).ToList();
            return new PeriodTotal(key, title, rides.Sum(r => r.DistanceKm ?? 0), rides.Sum(r => r.DurationS ?? 0) / 3600.0, rides.Count);
        }

        var weekStart = WeekStart(now);
        var totals = new[]
        {
            Total("week", "This week", weekStart),
            Total("month", MonthStart(now).ToString("MMMM yyyy", CultureInfo.InvariantCulture), MonthStart(now)),
            Total("season", $"Season {now.UtcDateTime.Year}", SeasonStart(now)),
        };

        var weekly = Enumerable.Range(0, RiderDashboard.TrendWeeks)
            .Select(i => weekStart.AddDays(-7 * (RiderDashboard.TrendWeeks - 1 - i)))
            .Select(start => new TrendPoint(start.UtcDateTime, analysed.Where(r => r.UploadedAt >= start && r.UploadedAt < start.AddDays(7)).Sum(r => r.DistanceKm ?? 0)))
            .ToList();
        var trendFrom = weekStart.AddDays(-7 * (RiderDashboard.TrendWeeks - 1));
        var perRide = analysed.Where(r => r.UploadedAt >= trendFrom).ToList();
        return new DashboardData(
            totals,
            last,
            crashes,
            weekly,
            perRide.Select(r => new TrendPoint(r.UploadedAt.UtcDateTime, r.MaxLeanDeg)).ToList(),
            perRide.Select(r => new TrendPoint(r.UploadedAt.UtcDateTime, r.MaxSpeedKmh)).ToList(),
            perRide.Select(r => new TrendPoint(r.UploadedAt.UtcDateTime, r.MaxDecelMs2)).ToList());
    }
}
