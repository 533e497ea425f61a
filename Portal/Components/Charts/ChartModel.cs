namespace Portal.Components.Charts;

/// <summary>How a series is drawn.</summary>
public enum ChartSeriesStyle
{
    /// <summary>A line; drawn as a fast signal when x never decreases, otherwise as a path (NaN breaks it).</summary>
    Line,

    /// <summary>Markers only (scatter plots such as the g-g diagram).</summary>
    Points,

    /// <summary>A line with a marker at every point (short trends).</summary>
    LineAndPoints,

    /// <summary>Vertical bars centred on each x.</summary>
    Bars,
}

/// <summary>Where the legend goes; <see cref="Auto"/> shows it inside the plot when two or more items are labelled.</summary>
public enum ChartLegend
{
    Auto,
    Inside,
    Below,
    Hidden,
}

/// <summary>
/// One series of a chart. <see cref="X"/> and <see cref="Y"/> must have the same length;
/// non-finite y values are dropped for lines that are signals and break the path otherwise.
/// The arrays are compared by reference to decide whether the chart must be redrawn, so pass
/// new arrays for new data rather than mutating old ones.
/// </summary>
/// <param name="Label">Legend text, e.g. "Speed".</param>
/// <param name="Unit">Unit shown in the legend, e.g. "km/h"; empty for none.</param>
public sealed record ChartSeries(string Label, string Unit, double[] X, double[] Y)
{
    /// <summary>CSS-style hex colour ("#1976d2"); null picks the next palette colour.</summary>
    public string? Color { get; init; }

    public ChartSeriesStyle Style { get; init; } = ChartSeriesStyle.Line;

    public float LineWidth { get; init; } = 1.5f;

    /// <summary>Dashed line: tells a compared ride from the reference in print and for colour-blind readers.</summary>
    public bool Dashed { get; init; }

    /// <summary>Marker diameter in pixels for points styles.</summary>
    public float MarkerSize { get; init; } = 4f;

    /// <summary>Bar width in x units; null uses 80 % of the smallest x step.</summary>
    public double? BarWidth { get; init; }

    /// <summary>False keeps the series out of the legend (reference lines such as a 1 g circle).</summary>
    public bool ShowInLegend { get; init; } = true;

    internal string LegendText => string.IsNullOrWhiteSpace(Unit) ? Label : $"{Label} ({Unit})";
}

/// <summary>An axis title with its unit; rendered as "Label (unit)".</summary>
public sealed record ChartAxis(string Label, string Unit)
{
    /// <summary>X values are <see cref="DateTime.ToOADate"/> numbers and ticks show dates.</summary>
    public bool DateTicks { get; init; }

    internal string Text => string.IsNullOrWhiteSpace(Unit) ? Label : $"{Label} ({Unit})";
}

/// <summary>A vertical line at <paramref name="X"/> with a short label (a turn apex, the crash moment).</summary>
public sealed record ChartMarker(double X, string Label)
{
    public string? Color { get; init; }
}

/// <summary>A shaded x range (a turn); spans sharing a label share one legend entry.</summary>
public sealed record ChartSpan(double Start, double End, string? Label = null)
{
    public string? Color { get; init; }
}

/// <summary>Fixed axis limits.</summary>
public sealed record ChartRange(double Min, double Max);

/// <summary>Fixed margins around the data area in pixels, so stacked charts line up their x axes.</summary>
public sealed record ChartPadding(float Left, float Right, float Bottom, float Top);
