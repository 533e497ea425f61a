using System.Text;
using Portal.Components.Pages.Crashes;

namespace Portal.Tests.Ui.Ops;

[Trait("Category", "Ui")]
public sealed class CrashWindowCsvTests
{
    [Fact]
    public void Read_TakesColumnsByName_AndLeavesEmptyGpsCellsAsNaN()
    {
        const string csv = "timestamp,ax,ay,az,gx,gy,gz,mx,my,mz,speed,lat,lon\n" +
            "10.5,1,2,3,4,5,6,7,8,9,50,43.1,11.2\n" +
            "10.51,1.5,2,3,4,5,6.5,7,8,9,,,\n";

        var samples = CrashWindowCsv.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)));

        Assert.Equal(2, samples.Count);
        Assert.Equal((10.5, 1, 6, 50, 43.1, 11.2), (samples[0].T, samples[0].Ax, samples[0].Gz, samples[0].Speed, samples[0].Lat, samples[0].Lon));
        Assert.Equal((10.51, 1.5, 6.5), (samples[1].T, samples[1].Ax, samples[1].Gz));
        Assert.True(double.IsNaN(samples[1].Speed) && double.IsNaN(samples[1].Lat) && double.IsNaN(samples[1].Lon));
    }

    [Fact]
    public void Read_NamesTheMissingColumn_WhenTheWindowIsNotAPipelineWindow()
    {
        const string csv = "timestamp,ax,ay,az,gx,gy\n1,2,3,4,5,6\n";

        var error = Assert.Throws<InvalidDataException>(() => CrashWindowCsv.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv))));

        Assert.Contains("'gz'", error.Message, StringComparison.Ordinal);
    }
}
