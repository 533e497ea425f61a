namespace Portal.Components.Charts;

/// <summary>Everything one chart drawing depends on; compared cheaply to skip redrawing unchanged charts.</summary>
public sealed record ChartDefinition
{
    public required IReadOnlyList<ChartSeries> Series { get; init; }
    public required ChartAxis XAxis { get; init; }
    public required ChartAxis YAxis { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<ChartMarker> Markers { get; init; } = [];
    public IReadOnlyList<ChartSpan> Spans { get; init; } = [];
    public int Width { get; init; } = 720;
    public int Height { get; init; } = 320;
    public ChartRange? XRange { get; init; }
    public ChartRange? YRange { get; init; }
    public bool EqualAxes { get; init; }
    public ChartPadding? Padding { get; init; }
    public ChartLegend Legend { get; init; } = ChartLegend.Auto;
    public int MaxPointsPerSeries { get; init; } = ChartDownsampler.DefaultMaxPoints;

    /// <summary>
    /// Same inputs: lists compared item by item, items by value, data arrays by reference — so a
    /// parent that rebuilds the lists around the same arrays does not cause a redraw.
    /// </summary>
    public bool IsSameDrawingAs(ChartDefinition? other) =>
        other is not null
        && Series.SequenceEqual(other.Series)
        && Markers.SequenceEqual(other.Markers)
        && Spans.SequenceEqual(other.Spans)
        && this with { Series = other.Series, Markers = other.Markers, Spans = other.Spans } == other;

    /// <summary>True when no series has a single point that could be drawn.</summary>
    public bool HasNoData => !Series.Any(series => series.X.Length > 0 && HasFinitePair(series));

    private static bool HasFinitePair(ChartSeries series)
    {
        var count = Math.Min(series.X.Length, series.Y.Length);
        for (var i = 0; i < count; i++)
        {
            if (double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i]))
            {
                return true;
            }
        }

        return false;
    }
}
