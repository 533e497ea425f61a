using System.Globalization;
using Bunit;
using Portal.Components.Charts;

namespace Portal.Tests.Ui.Charts;

[Trait("Category", "Ui")]
public sealed class MetricValueTests : ChartTestContext
{
    [Fact]
    public void NullMetric_ShowsADash_AndNoUnit()
    {
        var cut = Render<MetricValue>(p => p.Add(c => c.Value, null).Add(c => c.Unit, "km/h").Add(c => c.Label, "Max speed"));

        Assert.Equal("—", cut.Find(".metric-value-number").TextContent);
        Assert.Empty(cut.FindAll(".metric-value-unit"));
        Assert.Equal("Max speed", cut.Find(".metric-value-label").TextContent);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonFiniteMetric_ShowsADash(double value)
    {
        var cut = Render<MetricValue>(p => p.Add(c => c.Value, value).Add(c => c.Unit, "g"));

        Assert.Equal(MetricValue.NotAvailable, cut.Find(".metric-value-number").TextContent);
    }

    [Theory]
    [InlineData(123.456, 0)]
    [InlineData(57.25, 1)]
    [InlineData(1.23456, 2)]
    [InlineData(14.0, 0)]
    public void Metric_IsRoundedByMagnitude_AndShowsItsUnit(double value, int expectedDecimals)
    {
        var cut = Render<MetricValue>(p => p.Add(c => c.Value, value).Add(c => c.Unit, "km/h"));

        Assert.Equal(value.ToString("N" + expectedDecimals, CultureInfo.CurrentCulture), cut.Find(".metric-value-number").TextContent);
        Assert.Equal("km/h", cut.Find(".metric-value-unit").TextContent);
    }

    [Fact]
    public void Metric_WithFixedDecimals_UsesThem()
    {
        var cut = Render<MetricValue>(p => p.Add(c => c.Value, 0.98765).Add(c => c.Unit, "g").Add(c => c.Decimals, 1));

        Assert.Equal(0.98765.ToString("N1", CultureInfo.CurrentCulture), cut.Find(".metric-value-number").TextContent);
    }

    [Fact]
    public void IntegerMetric_CanBeShownThroughItsNullableDouble()
    {
        int? leftTurns = 12;
        var cut = Render<MetricValue>(p => p.Add(c => c.Value, leftTurns).Add(c => c.Unit, "turns"));

        Assert.Equal("12", cut.Find(".metric-value-number").TextContent);
    }

    [Theory]
    [InlineData(45.2, "45 s")]
    [InlineData(725, "12 min 05 s")]
    [InlineData(3725, "1 h 02 min")]
    [InlineData(90_000, "25 h 00 min")]
    public void Duration_IsShownInHoursMinutesOrSeconds_WithoutTheUnit(double seconds, string expected)
    {
        var cut = Render<MetricValue>(p => p.Add(c => c.Value, seconds).Add(c => c.Unit, "s").Add(c => c.AsDuration, true));

        Assert.Equal(expected, cut.Find(".metric-value-number").TextContent);
        Assert.Empty(cut.FindAll(".metric-value-unit"));
    }

    [Fact]
    public void UnknownDuration_ShowsADash()
    {
        var cut = Render<MetricValue>(p => p.Add(c => c.Value, null).Add(c => c.AsDuration, true));

        Assert.Equal("—", cut.Find(".metric-value-number").TextContent);
    }
}
