using Portal.Components.Charts;

namespace Portal.Tests.Ui.Charts;

[Trait("Category", "Ui")]
public sealed class ChartDownsamplerTests
{
    [Fact]
    public void MinMaxPerBucket_KeepsTheGlobalMinimumAndMaximum_OfAHundredThousandPoints()
    {
        var random = new Random(7);
        var x = Enumerable.Range(0, 100_000).Select(i => i * 0.01).ToArray();
        var y = x.Select(_ => random.NextDouble()).ToArray();
        y[12_345] = 57.5;
        y[87_654] = -31.25;

        var (dx, dy) = ChartDownsampler.MinMaxPerBucket(x, y, 2000);

        Assert.InRange(dx.Length, 2, 2000);
        Assert.Equal(dx.Length, dy.Length);
        Assert.Equal(y.Max(), dy.Max());
        Assert.Equal(y.Min(), dy.Min());
        Assert.Contains(x[12_345], dx);
        Assert.Contains(x[87_654], dx);
        Assert.True(ChartDownsampler.IsNondecreasing(dx));
    }

    [Fact]
    public void MinMaxPerBucket_KeepsEveryLocalPeak_ThatIsTheExtremeOfItsPixelColumn()
    {
        var x = Enumerable.Range(0, 50_000).Select(i => (double)i).ToArray();
        var y = new double[x.Length];
        int[] spikes = [1_000, 20_000, 33_333, 49_999];
        foreach (var spike in spikes)
        {
            y[spike] = 3.5;
        }

        var (dx, dy) = ChartDownsampler.MinMaxPerBucket(x, y, 1000);

        Assert.True(dx.Length <= 1000);
        foreach (var spike in spikes)
        {
            var at = Array.IndexOf(dx, x[spike]);
            Assert.True(at >= 0, $"spike at {spike} was dropped");
            Assert.Equal(3.5, dy[at]);
        }
    }

    [Fact]
    public void MinMaxPerBucket_ReturnsShortSeriesUnchanged_ButWithoutNonFinitePairs()
    {
        double[] x = [0, 1, 2, 3];
        double[] y = [5, double.NaN, 7, double.PositiveInfinity];

        var (dx, dy) = ChartDownsampler.MinMaxPerBucket(x, y);

        Assert.Equal([0, 2], dx);
        Assert.Equal([5, 7], dy);
    }

    [Fact]
    public void MinMaxPerBucket_RefusesSeriesOfUnequalLength()
    {
        var error = Assert.Throws<ArgumentException>(() => ChartDownsampler.MinMaxPerBucket([1, 2, 3], [1, 2]));
        Assert.Contains("3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decimate_LimitsAPath_AndKeepsItsExtremesAndEnd()
    {
        var angle = Enumerable.Range(0, 100_000).Select(i => i * 0.001).ToArray();
        var x = angle.Select(Math.Cos).ToArray();
        var y = angle.Select(Math.Sin).ToArray();
        x[50_001] = 4; // an outlier the stride would skip

        var (dx, dy) = ChartDownsampler.Decimate(x, y, 2000);

        Assert.True(dx.Length <= 2000, $"{dx.Length} points");
        Assert.Equal(4, dx.Max());
        Assert.Equal(y.Max(), dy.Max());
        Assert.Equal(y.Min(), dy.Min());
        Assert.Equal(x[^1], dx[^1]);
    }

    [Fact]
    public void IsNondecreasing_IgnoresNaN_ButNotAStepBack()
    {
        Assert.True(ChartDownsampler.IsNondecreasing([0, double.NaN, 1, 1, 2]));
        Assert.False(ChartDownsampler.IsNondecreasing([0, 2, 1]));
    }
}
