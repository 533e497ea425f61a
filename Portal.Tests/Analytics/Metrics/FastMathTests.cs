using Portal.Core.Analytics.Metrics;

namespace Portal.Tests.Analytics.Metrics;

[Trait("Category", "Analytics")]
public sealed class FastMathTests
{
    [Fact]
    public void Atan_AgreesWithTheLibrary_WithinAMillionthOfADegree_OverEveryTangent()
    {
        var worst = 0.0;
        for (var x = -300.0; x <= 300.0; x += 0.0007)
        {
            worst = Math.Max(worst, Math.Abs(FastMath.Atan(x) - Math.Atan(x)));
        }

        foreach (var x in new[] { 0.0, 1.0, -1.0, 1e-12, 1e12, -1e12, double.PositiveInfinity, double.NegativeInfinity })
        {
            worst = Math.Max(worst, Math.Abs(FastMath.Atan(x) - Math.Atan(x)));
        }

        Assert.True(worst * 180 / Math.PI < 1e-5, $"worst error {worst * 180 / Math.PI:E2}°");
        Assert.True(double.IsNaN(FastMath.Atan(double.NaN)));
    }
}
