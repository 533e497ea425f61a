using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Components.Charts;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Laps;
using Portal.Core.Analytics.Metrics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Components.Pages.Rides;

/// <summary>
/// Two rides, or two laps of track sessions (<c>lapA</c>/<c>lapB</c>; both from one ride is fine), side by side: a metric
/// table and their traces overlaid, by time from the start or (laps) by distance from the lap's start (<c>by=distance</c>).
/// Every choice lives in the query string, so a comparison is a bookmark.
/// </summary>
public sealed partial class RideCompare
{
    public const string FirstColor = "#1976d2";
    public const string SecondColor = "#7b1fa2";
    private static readonly ChartAxis DistanceAxis = new("Distance from lap start", "m");
    private static readonly ChartAxis SpeedAxis = new("Speed", "km/h");
    private static readonly ChartAxis LeanAxis = new("Lean (right +)", "°");
    private static readonly ChartAxis DeltaAxis = new("Delta time", "s");

    private string? loadedKey;
    private bool loaded;
    private CompareSide? first;
    private CompareSide? second;
    private RideTraces? firstTraces;
    private RideTraces? secondTraces;
    private IReadOnlyList<ChartSeries> speedByDistance = [];
    private IReadOnlyList<ChartSeries> leanByDistance = [];
    private IReadOnlyList<ChartSeries> deltaByDistance = [];

    [SupplyParameterFromQuery(Name = "a")] public Guid? A { get; set; }

    [SupplyParameterFromQuery(Name = "b")] public Guid? B { get; set; }

    [SupplyParameterFromQuery(Name = "lapA")] public int? LapA { get; set; }

    [SupplyParameterFromQuery(Name = "lapB")] public int? LapB { get; set; }

    /// <summary><c>distance</c> or <c>time</c>; laps default to distance, whole rides always use time.</summary>
    [SupplyParameterFromQuery(Name = "by")] public string? By { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private IObjectStorage Storage { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private bool ComparesLaps => first?.Lap is not null && second?.Lap is not null;

    private bool ByDistance => ComparesLaps && !string.Equals(By, "time", StringComparison.OrdinalIgnoreCase);

    protected override async Task OnParametersSetAsync()
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{A}|{B}|{LapA}|{LapB}|{By}");
        if (loadedKey == key)
        {
            return;
        }

        var sameRides = first?.Ride.Id == A && second?.Ride.Id == B;
        loadedKey = key;
        if (!sameRides)
        {
            loaded = false;
            var loadedA = await LoadAsync(A);
            var loadedB = B == A ? loadedA : await LoadAsync(B);
            first = loadedA is null ? null : CompareSide.Of(loadedA.Value.Ride, loadedA.Value.Traces);
            second = loadedB is null ? null : CompareSide.Of(loadedB.Value.Ride, loadedB.Value.Traces);
        }

        first = first?.WithLap(LapA);
        second = second?.WithLap(LapB);
        firstTraces = first?.ChartTraces;
        secondTraces = second?.ChartTraces;
        (speedByDistance, leanByDistance) = ByDistance ? (DistanceSeries(TraceNames.Speed), DistanceSeries(TraceNames.Lean)) : ([], []);
        deltaByDistance = ByDistance ? DeltaSeries() : [];
        loaded = true;
    }

    private async Task<(RideDto Ride, RideTraces? Traces)?> LoadAsync(Guid? rideId)
    {
        if (rideId is not { } id || (await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return null;
        }

        await using var db = await Catalog.CreateDbContextAsync();
        if (await db.FindVisibleRideAsync(caller, id, CancellationToken.None) is not { } ride)
        {
            return null;
        }

        var traces = ride.Status == RideStatus.Analyzed ? await RideTracesReader.ReadAsync(Storage, id, CancellationToken.None) : null;
        return (RideDto.From(ride, Time.GetUtcNow()), traces);
    }

    private IReadOnlyList<ChartSeries> DistanceSeries(string channel)
    {
        var series = new List<ChartSeries>(2);
        foreach (var (side, label, color) in new[] { (first!, "A", FirstColor), (second!, "B", SecondColor) })
        {
            if (side.Traces is { } traces && LapTraces.ByDistance(traces, side.Session!, side.Lap!, channel) is { } points)
            {
                var unit = traces.Channels.First(c => string.Equals(c.Name, channel, StringComparison.OrdinalIgnoreCase)).Unit;
                series.Add(new ChartSeries($"{label}: lap {side.Lap!.Number}", unit, points.DistanceM, points.Values) { Color = color, Dashed = label == "B" });
            }
        }

        return series;
    }

    /// <summary>Time B loses (above 0) or gains along the lap against A, at the same distance from the line.</summary>
    private IReadOnlyList<ChartSeries> DeltaSeries()
    {
        if (first!.Traces is not { } tracesA || second!.Traces is not { } tracesB
            || LapDelta.TimeByDistance(tracesA, first.Session!, first.Lap!) is not { } a
            || LapDelta.TimeByDistance(tracesB, second.Session!, second.Lap!) is not { } b
            || LapDelta.Compute(a, b) is not { } delta)
        {
            return [];
        }

        return [new ChartSeries("B − A", "s", delta.DistanceM, delta.DeltaS) { Color = SecondColor }];
    }

    /// <summary>B − A with its sign ("+1.25", "−0.40"); lap times as "+0.412 s".</summary>
    internal static string Difference(double? a, double? b, bool asTime, int? decimals = null)
    {
        if (a is not { } x || b is not { } y || !double.IsFinite(x) || !double.IsFinite(y))
        {
            return MetricValue.NotAvailable;
        }

        var difference = y - x;
        var sign = difference > 0 ? "+" : difference < 0 ? "−" : "±";
        return asTime
            ? sign + LapFormat.Gap(Math.Abs(difference))
            : sign + MetricValue.Format(Math.Abs(difference), decimals, CultureInfo.CurrentCulture);
    }

    private void PickLap(string parameter, int? lap) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter(parameter, lap));

    private void PickAxis(string axis) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("by", axis));

    private static string Cell(RideDto ride, RideMetricRow row) =>
        ride.Metrics is { } metrics ? MetricValue.Format(row.Read(metrics), row.Decimals, CultureInfo.CurrentCulture) : MetricValue.NotAvailable;

    /// <summary>The rows of the table when a lap is compared: each side's lap, or its whole ride when it has no lap picked.</summary>
    internal static IReadOnlyList<(string Key, string Label, Func<CompareSide, string> Value, Func<CompareSide, double?> Raw)> LapRows { get; } =
    [
        ("time", "Time", s => s.Summary is { } l ? LapFormat.Time(l.Lap.TimeS) : MetricValue.FormatDuration(s.Ride.Metrics?.DurationS), s => s.Summary?.Lap.TimeS ?? s.Ride.Metrics?.DurationS),
        ("distance_km", "Distance (km)", s => Number(DistanceKm(s), 2), DistanceKm),
        ("avg_speed_kmh", "Average speed (km/h)", s => Number(AvgSpeed(s), 1), AvgSpeed),
        ("max_speed_kmh", "Max speed (km/h)", s => Number(MaxSpeed(s), 1), MaxSpeed),
        ("max_lean_left_deg", "Max lean left (°)", s => Number(LeanLeft(s), 1), LeanLeft),
        ("max_lean_right_deg", "Max lean right (°)", s => Number(LeanRight(s), 1), LeanRight),
    ];

    private static double? DistanceKm(CompareSide s) => s.Summary is { } l ? l.Lap.DistanceM / 1000 : s.Ride.Metrics?.DistanceKm;

    private static double? AvgSpeed(CompareSide s) => s.Summary is { } l ? l.AvgSpeedKmh : s.Ride.Metrics?.AvgSpeedKmh;

    private static double? MaxSpeed(CompareSide s) => s.Summary is { } l ? l.MaxSpeedKmh : s.Ride.Metrics?.MaxSpeedKmh;

    private static double? LeanLeft(CompareSide s) => s.Summary is { } l ? l.MaxLeanLeftDeg : s.Ride.Metrics?.MaxLeanLeftDeg;

    private static double? LeanRight(CompareSide s) => s.Summary is { } l ? l.MaxLeanRightDeg : s.Ride.Metrics?.MaxLeanRightDeg;

    private static string Number(double? value, int decimals) => MetricValue.Format(value, decimals, CultureInfo.CurrentCulture);
}

/// <summary>One side of a comparison: the ride, its traces and laps, and the lap picked (null: the whole ride).</summary>
public sealed record CompareSide(RideDto Ride, RideTraces? Traces, LapSession? Session, IReadOnlyList<LapSummary> Laps)
{
    public Lap? Lap { get; private init; }

    public LapSummary? Summary { get; private init; }

    /// <summary>The lap number asked for that the ride does not have (shown as a warning).</summary>
    public int? MissingLap { get; private init; }

    /// <summary>What the time chart draws: the lap's traces from its start, or the whole ride's.</summary>
    public RideTraces? ChartTraces { get; private init; }

    public string Title => Lap is { } lap ? $"{Ride.FileName} · lap {lap.Number}" : Ride.FileName;

    public static CompareSide Of(RideDto ride, RideTraces? traces)
    {
        var session = LapDetector.Detect(traces);
        return new CompareSide(ride, traces, session, session is null ? [] : LapSummary.Summarize(session, traces)) { ChartTraces = traces };
    }

    public CompareSide WithLap(int? number)
    {
        var summary = number is { } n ? Laps.FirstOrDefault(l => l.Lap.Number == n) : null;
        if (summary?.Lap == Lap && MissingLap == (summary is null ? number : null))
        {
            return this;
        }

        return this with
        {
            Lap = summary?.Lap,
            Summary = summary,
            MissingLap = summary is null ? number : null,
            ChartTraces = summary is not null && Traces is not null ? LapTraces.Slice(Traces, summary.Lap) : Traces,
        };
    }
}
