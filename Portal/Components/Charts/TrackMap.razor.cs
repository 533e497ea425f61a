using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics;

namespace Portal.Components.Charts;

/// <summary>
/// The ride's GPS track drawn without map tiles: an equirectangular projection around the
/// track's centre (east scaled by cos latitude), split into segments coloured by speed band,
/// with the bands in the legend and an optional highlighted point (the crash).
/// </summary>
public sealed partial class TrackMap
{
    private const double EarthRadiusKm = 6371.0088;
    private const int MaxTrackPoints = 2000;

    // Slow to fast; five bands read well and stay distinguishable for most colour vision.
    internal static readonly string[] BandColors = ["#2c7bb6", "#00a6ca", "#90eb9d", "#fdae61", "#d7191c"];

    private object?[] _built = [];
    private IReadOnlyList<ChartSeries> _series = [];
    private ChartAxis _xAxis = new("East", "km");
    private ChartAxis _yAxis = new("North", "km");

    [Parameter] public double[]? Latitudes { get; set; }

    [Parameter] public double[]? Longitudes { get; set; }

    /// <summary>Speed at each position in km/h; without it the track is drawn in one colour.</summary>
    [Parameter] public double[]? SpeedsKmh { get; set; }

    /// <summary>Used when <see cref="Latitudes"/>/<see cref="Longitudes"/> are not given: the lat, lon and speed traces.</summary>
    [Parameter] public RideTraces? Traces { get; set; }

    /// <summary>A point to mark, e.g. where the crash happened.</summary>
    [Parameter] public double? HighlightLatitude { get; set; }

    [Parameter] public double? HighlightLongitude { get; set; }

    [Parameter] public string HighlightLabel { get; set; } = "Crash";

    [Parameter] public string? Title { get; set; } = "Track";

    [Parameter] public int Width { get; set; } = 640;

    [Parameter] public int Height { get; set; } = 520;

    protected override void OnParametersSet()
    {
        object?[] inputs = [Latitudes, Longitudes, SpeedsKmh, Traces, HighlightLatitude, HighlightLongitude, HighlightLabel];
        if (_built.Length == inputs.Length && _built.Zip(inputs).All(pair => Equals(pair.First, pair.Second)))
        {
            return;
        }

        _built = inputs;
        var (lat, lon, speed) = ResolveTrack();
        var track = Clean(lat, lon, speed);
        if (track.Count == 0)
        {
            _series = [];
            return;
        }

        var lat0 = track.Average(p => p.Lat);
        var lon0 = track.Average(p => p.Lon);
        var extentKm = Math.Max(
            ProjectKm(track.Max(p => p.Lat), lon0, track.Min(p => p.Lat), lon0).NorthKm,
            ProjectKm(lat0, track.Max(p => p.Lon), lat0, track.Min(p => p.Lon)).EastKm);

        // Short tracks (a car park test) read better in metres.
        var scale = extentKm < 2 ? 1000 : 1;
        var unit = scale == 1000 ? "m" : "km";
        _xAxis = new ChartAxis("East", unit);
        _yAxis = new ChartAxis("North", unit);
        double ToX(double lonDeg) => ProjectKm(lat0, lonDeg, lat0, lon0).EastKm * scale;
        double ToY(double latDeg) => ProjectKm(latDeg, lon0, lat0, lon0).NorthKm * scale;

        var series = track.All(p => double.IsNaN(p.Speed))
            ? [new ChartSeries("Track", string.Empty, track.Select(p => ToX(p.Lon)).ToArray(), track.Select(p => ToY(p.Lat)).ToArray()) { Color = BandColors[0], LineWidth = 2.5f }]
            : BuildSpeedBands(track, ToX, ToY);

        if (HighlightLatitude is { } hLat && HighlightLongitude is { } hLon && double.IsFinite(hLat) && double.IsFinite(hLon))
        {
            series.Add(new ChartSeries(HighlightLabel, string.Empty, [ToX(hLon)], [ToY(hLat)])
            {
                Style = ChartSeriesStyle.Points,
                MarkerSize = 14,
                Color = "#000000",
            });
        }

        _series = series;
    }

    /// <summary>Equirectangular projection around (lat0, lon0): east distances shrink with cos(lat0).</summary>
    internal static (double EastKm, double NorthKm) ProjectKm(double lat, double lon, double lat0, double lon0) =>
        ((lon - lon0) * Math.PI / 180 * EarthRadiusKm * Math.Cos(lat0 * Math.PI / 180), (lat - lat0) * Math.PI / 180 * EarthRadiusKm);

    /// <summary>The upper edges of the speed bands: five equal steps of a round size covering the top speed.</summary>
    internal static double[] BandEdges(double maxSpeed)
    {
        double[] steps = [5, 10, 20, 25, 30, 40, 50, 60, 80, 100];
        var step = steps.FirstOrDefault(s => s * BandColors.Length >= maxSpeed, 100);
        return Enumerable.Range(1, BandColors.Length).Select(i => i * step).ToArray();
    }

    private static List<ChartSeries> BuildSpeedBands(List<TrackPoint> track, Func<double, double> toX, Func<double, double> toY)
    {
        var edges = BandEdges(track.Where(p => !double.IsNaN(p.Speed)).Select(p => p.Speed).DefaultIfEmpty(0).Max());
        var bandX = Enumerable.Range(0, edges.Length).Select(_ => new List<double>()).ToArray();
        var bandY = Enumerable.Range(0, edges.Length).Select(_ => new List<double>()).ToArray();
        var lastIndexInBand = Enumerable.Repeat(-1, edges.Length).ToArray();
        for (var i = 0; i + 1 < track.Count; i++)
        {
            // A segment takes the band of its start; unknown speed borrows the end's.
            var speed = double.IsNaN(track[i].Speed) ? track[i + 1].Speed : track[i].Speed;
            var band = double.IsNaN(speed) ? 0 : Math.Min(edges.Length - 1, Array.FindIndex(edges, edge => speed < edge) is var found && found >= 0 ? found : edges.Length - 1);
            if (lastIndexInBand[band] != i)
            {
                if (bandX[band].Count > 0)
                {
                    bandX[band].Add(double.NaN);
                    bandY[band].Add(double.NaN);
                }

                bandX[band].Add(toX(track[i].Lon));
                bandY[band].Add(toY(track[i].Lat));
            }

            bandX[band].Add(toX(track[i + 1].Lon));
            bandY[band].Add(toY(track[i + 1].Lat));
            lastIndexInBand[band] = i + 1;
        }

        var series = new List<ChartSeries>();
        for (var band = 0; band < edges.Length; band++)
        {
            var lower = band == 0 ? 0 : edges[band - 1];
            var label = string.Create(CultureInfo.InvariantCulture, $"{lower:0}–{edges[band]:0}");
            series.Add(new ChartSeries(label, "km/h", [.. bandX[band]], [.. bandY[band]]) { Color = BandColors[band], LineWidth = 2.5f });
        }

        if (track.Count == 1)
        {
            series[0] = new ChartSeries("Position", string.Empty, [toX(track[0].Lon)], [toY(track[0].Lat)]) { Style = ChartSeriesStyle.Points, MarkerSize = 8, Color = BandColors[0] };
        }

        return series;
    }

    private (double[]? Lat, double[]? Lon, double[]? Speed) ResolveTrack()
    {
        if (Latitudes is not null || Longitudes is not null)
        {
            return (Latitudes, Longitudes, SpeedsKmh);
        }

        var latTrace = Traces.Find(RideTraceNames.Latitude);
        var lonTrace = Traces.Find(RideTraceNames.Longitude);
        if (latTrace is null || lonTrace is null)
        {
            return (null, null, null);
        }

        var lon = ChartMath.AlignTo(latTrace, lonTrace, lonTrace.Values);
        var speedTrace = Traces.Find(RideTraceNames.Speed);
        var speed = speedTrace is null ? null : ChartMath.AlignTo(latTrace, speedTrace, speedTrace.Values);
        return (latTrace.Values, lon, speed);
    }

    /// <summary>Valid fixes only (NaN between GPS fixes, 0/0 "no fix" and out-of-range are dropped), at most <see cref="MaxTrackPoints"/>.</summary>
    private static List<TrackPoint> Clean(double[]? lat, double[]? lon, double[]? speed)
    {
        var points = new List<TrackPoint>();
        if (lat is null || lon is null)
        {
            return points;
        }

        var count = Math.Min(lat.Length, lon.Length);
        for (var i = 0; i < count; i++)
        {
            var valid = double.IsFinite(lat[i]) && double.IsFinite(lon[i])
                && Math.Abs(lat[i]) <= 90 && Math.Abs(lon[i]) <= 180
                && !(lat[i] == 0 && lon[i] == 0);
            if (valid)
            {
                var v = speed is not null && i < speed.Length && double.IsFinite(speed[i]) ? speed[i] : double.NaN;
                points.Add(new TrackPoint(lat[i], lon[i], v));
            }
        }

        if (points.Count <= MaxTrackPoints)
        {
            return points;
        }

        // Even thinning keeps the path's shape; the chart would do the same later, but band
        // splitting is cheaper on fewer points and must see the same points the chart draws.
        var stride = (int)Math.Ceiling(points.Count / (double)MaxTrackPoints);
        var thinned = points.Where((_, index) => index % stride == 0).ToList();
        if (thinned[^1] != points[^1])
        {
            thinned.Add(points[^1]);
        }

        return thinned;
    }

    private readonly record struct TrackPoint(double Lat, double Lon, double Speed);
}
