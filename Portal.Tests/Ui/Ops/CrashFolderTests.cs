using System.Text;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Components.Pages.Crashes;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Tests.Ui.Ops;

[Trait("Category", "Ui")]
public sealed class CrashFolderTests : OpsUiTestContext
{
    [Fact]
    public async Task CrashFolder_ListsCrashesNewestFirst_WithTheirDetectionExplanation()
    {
        await AddCrashAsync(Now.AddDays(-3), "Middle crash: thrown off at 96 km/h.");
        await AddCrashAsync(Now.AddDays(-1), "Newest crash: slid out in a left turn.", RiderCategory.Professional, "lowside");
        await AddCrashAsync(Now.AddDays(-9), "Oldest crash: lost control.");
        RenderPopoverProvider();

        var folder = Render<CrashFolder>();

        folder.WaitForAssertion(() => Assert.Equal(3, folder.FindAll("[data-testid=crash-explanation]").Count));
        Assert.Equal(
            ["Newest crash: slid out in a left turn.", "Middle crash: thrown off at 96 km/h.", "Oldest crash: lost control."],
            folder.FindAll("[data-testid=crash-explanation]").Select(e => e.TextContent.Trim()));
        Assert.Equal("lowside", folder.FindAll("[data-testid=crash-kind]")[0].TextContent.Trim());
        Assert.Equal("Professional", folder.FindAll("[data-testid=crash-rider-category]")[0].TextContent.Trim());
        Assert.All(folder.FindAll("[data-testid=crash-label]"), chip => Assert.Equal("Unlabelled", chip.TextContent.Trim()));
    }

    [Fact]
    public async Task CrashDetail_LabelChange_IsKeptWithTheCrash()
    {
        var crash = await AddCrashAsync(Now.AddHours(-2), "Thrown off the bike.");
        RenderPopoverProvider();
        var detail = Render<CrashDetail>(parameters => parameters.Add(p => p.Id, crash.Id));
        detail.WaitForElement("[data-testid=label-save]");

        detail.Find("[data-testid=label-confirmed]").Click();
        detail.Find("textarea").Change("Rider confirmed by phone; suit airbag fired.");
        detail.Find("[data-testid=label-save]").Click();

        detail.WaitForAssertion(() => Assert.Equal("Saved: Confirmed.", detail.Find("[data-testid=label-message]").TextContent.Trim()));
        await using var db = NewDb();
        var stored = await db.Set<CrashRecord>().AsNoTracking().SingleAsync(c => c.Id == crash.Id);
        Assert.Equal(CrashLabel.Confirmed, stored.Label);
        Assert.Equal("Rider confirmed by phone; suit airbag fired.", stored.Notes);
        Assert.Equal(UserId, stored.LabelledBy);
        Assert.Equal(Now, stored.LabelledAt);
        Assert.Equal("Confirmed", detail.Find("[data-testid=crash-label]").TextContent.Trim());
    }

    [Fact]
    public async Task CrashDetail_DrawsTheWindowFromTheCrashBucketsCsv()
    {
        var crash = await AddCrashAsync(Now.AddHours(-1), "Thrown off the bike.");
        var window = new StringBuilder("timestamp,ax,ay,az,gx,gy,gz,speed,lat,lon\n");
        for (var i = 0; i < 2001; i++)
        {
            var t = 177.1 + (i * 0.01);
            // GPS at 10 Hz: speed and position only every tenth row, empty cells between.
            var gps = i % 10 == 0 ? $"{96 - (i * 0.04):0.##},{43.61 + (i * 1e-6):0.0000000},{11.33:0.0000000}" : ",,";
            window.Append(System.Globalization.CultureInfo.InvariantCulture, $"{t:0.000},0.1,0.2,9.8,1,2,3,{gps}\n");
        }

        await Storage.PutAsync(BucketKind.Crash, PipelineKeys.CrashWindow(crash.RideId), new MemoryStream(Encoding.UTF8.GetBytes(window.ToString())), "text/csv", CancellationToken.None);
        RenderPopoverProvider();

        var detail = Render<CrashDetail>(parameters => parameters.Add(p => p.Id, crash.Id));

        detail.WaitForAssertion(() => Assert.StartsWith("2001 samples at full rate", detail.Find("[data-testid=crash-window-samples]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Empty(detail.FindAll("[data-testid=crash-window-problem]"));
        Assert.Equal("Thrown off the bike.", detail.Find("[data-testid=crash-explanation]").TextContent.Trim());
        Assert.Contains("/api/crashes/" + crash.Id + "/raw", detail.Find("[data-testid=download-crash-raw]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrashDetail_SaysSo_WhenTheWindowIsMissingFromTheCrashBucket()
    {
        var crash = await AddCrashAsync(Now.AddHours(-1), "Thrown off the bike.");
        RenderPopoverProvider();

        var detail = Render<CrashDetail>(parameters => parameters.Add(p => p.Id, crash.Id));

        detail.WaitForAssertion(() => Assert.Equal("The crash window is missing from the crash folder.", detail.Find("[data-testid=crash-window-problem]").TextContent.Trim()));
    }
}
