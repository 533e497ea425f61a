using System.Globalization;
using AngleSharp.Dom;
using Bunit;

namespace Portal.Tests.Ui.Charts;

/// <summary>A bUnit context for the chart components plus helpers that read rendered SVG text.</summary>
public abstract class ChartTestContext : BunitContext
{
    protected ChartTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>The wide drawings under <paramref name="root"/> (each chart also has a narrow one for phones).</summary>
    protected static IReadOnlyList<IElement> WideSvgs(IElement root) => root.QuerySelectorAll(".svg-chart-wide svg").ToList();

    /// <summary>The trimmed text of every text element of the wide drawings (axis titles, tick labels, legend, marker labels).</summary>
    protected static IReadOnlyList<string> SvgTexts(IElement root) =>
        root.QuerySelectorAll(".svg-chart-wide svg text").Select(text => text.TextContent.Trim()).Where(text => text.Length > 0).ToList();

    /// <summary>Tick labels that are numbers (ScottPlot writes a real minus sign for negatives).</summary>
    protected static IReadOnlyList<double> NumericTexts(IElement root) =>
        SvgTexts(root)
            .Select(text => text.Replace('\u2212', '-').Replace(",", string.Empty, StringComparison.Ordinal))
            .Select(text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (double?)value : null)
            .OfType<double>()
            .ToList();

    protected static double[] Ramp(int count, double step = 1) => Enumerable.Range(0, count).Select(i => i * step).ToArray();
}
