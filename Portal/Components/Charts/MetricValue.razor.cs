using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace Portal.Components.Charts;

/// <summary>
/// A metric that may be unavailable: the number rounded to what the measurement can support,
/// its unit, or "—" when the metric is null (not available for this ride).
/// </summary>
public sealed partial class MetricValue
{
    /// <summary>What is shown for a metric that is not available.</summary>
    public const string NotAvailable = "—";

    [Parameter] public double? Value { get; set; }

    [Parameter] public string Unit { get; set; } = string.Empty;

    /// <summary>Fixed decimals; null rounds by magnitude (≥ 100: 0, ≥ 10: 1, otherwise 2; whole numbers: 0).</summary>
    [Parameter] public int? Decimals { get; set; }

    [Parameter] public string? Label { get; set; }

    [Parameter] public string? Class { get; set; }

    private string Text => Format(Value, Decimals, CultureInfo.CurrentCulture);

    private string Tooltip => Value is null ? "Not available for this ride" : $"{Value.Value.ToString(CultureInfo.CurrentCulture)} {Unit}".Trim();

    /// <summary>The text shown for <paramref name="value"/>; also used where a plain string is needed (tables).</summary>
    public static string Format(double? value, int? decimals, IFormatProvider culture)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return NotAvailable;
        }

        var places = decimals ?? DecimalsFor(v);
        return v.ToString("N" + places.ToString(CultureInfo.InvariantCulture), culture);
    }

    private static int DecimalsFor(double value)
    {
        var magnitude = Math.Abs(value);
        if (magnitude >= 100 || value == Math.Round(value))
        {
            return 0;
        }

        return magnitude >= 10 ? 1 : 2;
    }
}
