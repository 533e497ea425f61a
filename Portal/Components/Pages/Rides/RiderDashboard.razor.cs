using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Components.Charts;
using Portal.Components.Shared.Time;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Rides;

/// <summary>
/// The rider's home: what is new since the last visit, crash alerts, totals for this week / month / season, the last
/// rides and trends over the last weeks, all by when each ride was ridden (its own clock) in the rider's time zone
/// (the browser's). "Now" comes from the injected clock; weeks start on Monday, the season is the calendar year.
/// </summary>
public sealed partial class RiderDashboard
{
    public const int LastRideCount = 5;
    public const int TrendWeeks = 12;

    private DashboardData? data;
    private RiderNews? news;
    private List<DashboardRide> recent = [];
    private List<DashboardRide> last = [];
    private List<DashboardRide> crashes = [];
    private RideCaller? caller;

    /// <summary>The rider's category as the home page already read it.</summary>
    [Parameter] public RiderCategory? Category { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private HomeOverview Overview { get; set; } = default!;

    [Inject] private BrowserTimeZone Browser { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } me)
        {
            data = DashboardData.Build([], [], [], Time.GetUtcNow(), Browser.Zone);
            return;
        }

        caller = me;
        var now = Time.GetUtcNow();
        // A day's margin each side: the rider's zone is not known yet, the periods are cut in it afterwards.
        var from = DashboardData.TrendStart(now, TimeZoneInfo.Utc).AddDays(-1);
        await using var db = await Catalog.CreateDbContextAsync();
        var mine = db.Rides.AsNoTracking().Where(r => r.OwnerId == me.UserId);
        recent = await mine.Where(r => r.StartedAt >= from).Select(DashboardRide.Projection).ToListAsync();
        last = await mine.Where(r => r.Status != RideStatus.Failed).OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(LastRideCount).Select(DashboardRide.Projection).ToListAsync();
        crashes = await mine.Where(r => r.CrashDetected).OrderByDescending(r => r.StartedAt).Take(3).Select(DashboardRide.Projection).ToListAsync();
        news = await Overview.RiderNewsAsync(me, CancellationToken.None);
        data = DashboardData.Build(recent, last, crashes, now, Browser.Zone);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || caller is null)
        {
            return;
        }

        // Only the interactive render counts as a visit: the prerender of the same visit must not hide its news.
        if (RendererInfo.IsInteractive)
        {
            await Overview.RecordHomeVisitAsync(caller, CancellationToken.None);
        }

        if (!Browser.Known)
        {
            await Browser.ResolveAsync();
            data = DashboardData.Build(recent, last, crashes, Time.GetUtcNow(), Browser.Zone);
            StateHasChanged();
        }
    }

    /// <summary>A failed upload is dismissed for good: the ride, its raw file and metrics are deleted.</summary>
    private async Task DismissAsync(Guid rideId)
    {
        if (caller is null)
        {
            return;
        }

        await using var scope = Scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RideEditing>().DeleteAsync(caller, rideId, CancellationToken.None);
        news = await Overview.RiderNewsAsync(caller, CancellationToken.None);
    }

    private static string KeyNumbers(IReadOnlyList<TrendPoint> points, string unit, bool total)
    {
        var values = points.Where(p => p.Value is not null).Select(p => p.Value!.Value).ToList();
        if (values.Count == 0)
        {
            return "No values in this period.";
        }

        var culture = CultureInfo.GetCultureInfo("en-GB");
        return total
            ? string.Create(culture, $"{values.Sum():0.#} {unit} in {values.Count(v => v > 0)} of {values.Count} weeks; best week {values.Max():0.#} {unit}.")
            : string.Create(culture, $"{values.Count} rides; highest {values.Max():0.#} {unit}, lowest {values.Min():0.#} {unit}, latest {values[^1]:0.#} {unit}.");
    }
}

/// <summary>The columns of a ride the dashboard shows.</summary>
public sealed record DashboardRide(
    Guid Id, string FileName, string? Title, string? PlaceName, DateTimeOffset StartedAt, bool StartedAtIsUploadTime, RideStatus Status, int ProgressPercent,
    double? DistanceKm, double? DurationS, double? MaxSpeedKmh, double? MaxLeanDeg, double? MaxDecelMs2, bool CrashDetected)
{
    public static readonly System.Linq.Expressions.Expression<Func<Ride, DashboardRide>> Projection = r => new DashboardRide(
        r.Id, r.FileName, r.Title, r.PlaceName, r.StartedAt, r.StartedAtIsUploadTime, r.Status, r.ProgressPercent, r.DistanceKm, r.DurationS, r.MaxSpeedKmh, r.MaxLeanDeg, r.MaxDecelMs2, r.CrashDetected);
}

/// <summary>Totals of one period over the analysed rides ridden in it.</summary>
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
    /// <summary>Monday 00:00 of the current week, in <paramref name="zone"/>'s wall-clock time.</summary>
    public static DateTime WeekStart(DateTimeOffset now, TimeZoneInfo zone)
    {
        var day = TimeZoneInfo.ConvertTime(now, zone).Date;
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    public static DateTime MonthStart(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return new DateTime(local.Year, local.Month, 1);
    }

    public static DateTime SeasonStart(DateTimeOffset now, TimeZoneInfo zone) => new(TimeZoneInfo.ConvertTime(now, zone).Year, 1, 1);

    /// <summary>The earliest ride time the dashboard needs: the season's start or the first trend week, whichever is earlier.</summary>
    public static DateTimeOffset TrendStart(DateTimeOffset now, TimeZoneInfo zone)
    {
        var firstWeek = WeekStart(now, zone).AddDays(-7 * (RiderDashboard.TrendWeeks - 1));
        var season = SeasonStart(now, zone);
        var earliest = firstWeek < season ? firstWeek : season;
        return new DateTimeOffset(earliest, zone.GetUtcOffset(earliest));
    }

    public static DashboardData Build(IReadOnlyList<DashboardRide> recent, IReadOnlyList<DashboardRide> last, IReadOnlyList<DashboardRide> crashes, DateTimeOffset now, TimeZoneInfo zone)
    {
        DateTime Local(DashboardRide ride) => TimeZoneInfo.ConvertTime(ride.StartedAt, zone).DateTime;
        var localNow = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var analysed = recent.Where(r => r.Status == RideStatus.Analyzed).OrderBy(r => r.StartedAt).ToList();
        PeriodTotal Total(string key, string title, DateTime from)
        {
            var rides = analysed.Where(r => Local(r) >= from && Local(r) <= localNow).ToList();
            return new PeriodTotal(key, title, rides.Sum(r => r.DistanceKm ?? 0), rides.Sum(r => r.DurationS ?? 0) / 3600.0, rides.Count);
        }

        var weekStart = WeekStart(now, zone);
        var totals = new[]
        {
            Total("week", "This week", weekStart),
            Total("month", MonthStart(now, zone).ToString("MMMM yyyy", CultureInfo.InvariantCulture), MonthStart(now, zone)),
            Total("season", $"Season {SeasonStart(now, zone).Year}", SeasonStart(now, zone)),
        };

        var weekly = Enumerable.Range(0, RiderDashboard.TrendWeeks)
            .Select(i => weekStart.AddDays(-7 * (RiderDashboard.TrendWeeks - 1 - i)))
            .Select(start => new TrendPoint(start, analysed.Where(r => Local(r) >= start && Local(r) < start.AddDays(7)).Sum(r => r.DistanceKm ?? 0)))
            .ToList();
        var trendFrom = weekStart.AddDays(-7 * (RiderDashboard.TrendWeeks - 1));
        var perRide = analysed.Where(r => Local(r) >= trendFrom && Local(r) <= localNow).ToList();
        return new DashboardData(
            totals,
            last,
            crashes,
            weekly,
            perRide.Select(r => new TrendPoint(Local(r), r.MaxLeanDeg)).ToList(),
            perRide.Select(r => new TrendPoint(Local(r), r.MaxSpeedKmh)).ToList(),
            perRide.Select(r => new TrendPoint(Local(r), r.MaxDecelMs2)).ToList());
    }
}
