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

    /// <summary><see cref="Value"/> is seconds, shown as "1 h 02 min", "12 min 05 s" or "45 s"; <see cref="Unit"/> is not shown.</summary>
    [Parameter] public bool AsDuration { get; set; }

    [Parameter] public string? Class { get; set; }

    private string Text => AsDuration ? FormatDuration(Value) : Format(Value, Decimals, CultureInfo.CurrentCulture);

    private bool ShowsUnit => Value is { } v && double.IsFinite(v) && !AsDuration && !string.IsNullOrEmpty(Unit);

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

    /// <summary>Seconds as hours and minutes, minutes and seconds, or seconds; "—" when unknown.</summary>
    public static string FormatDuration(double? seconds)
    {
        if (seconds is not { } s || !double.IsFinite(s) || s < 0)
        {
            return NotAvailable;
        }

        var whole = TimeSpan.FromSeconds(Math.Round(s));
        var hours = (long)whole.TotalHours;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours} h {whole.Minutes:00} min")
            : whole.Minutes > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{whole.Minutes} min {whole.Seconds:00} s")
                : string.Create(CultureInfo.InvariantCulture, $"{whole.Seconds} s");
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
