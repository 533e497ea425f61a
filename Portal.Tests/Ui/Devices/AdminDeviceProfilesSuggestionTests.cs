using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Components.Pages.Devices;
using Portal.Core.Analytics;
using Portal.Core.Devices;
using Portal.Identity;

namespace Portal.Tests.Ui.Devices;

/// <summary>/admin/device-profiles with a sample file: the suggestion, its preview, adjusting it and saving it.</summary>
[Trait("Category", "Ui")]
public sealed class AdminDeviceProfilesSuggestionTests : DevicesUiTestContext
{
    public AdminDeviceProfilesSuggestionTests() => SignIn(PortalRoles.Admin);

    [Fact]
    public async Task RaceBoxSample_ShowsTheSuggestedMappingUnitsAndMetrics_AndSavingItStoresThem()
    {
        RenderProviders();
        var cut = Render<AdminDeviceProfiles>();

        cut.WaitForElement("[data-testid=profile-sample]");
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(SampleFiles.RaceBox(rows: 500), "racebox.csv"));

        cut.WaitForAssertion(() => Assert.Equal("racebox", cut.Find("[data-testid=suggestion-format]").TextContent));
        Assert.Equal("mph (from format)", cut.Find("[data-testid=suggestion-speed]").TextContent);
        Assert.Equal("g (from header)", cut.Find("[data-testid=suggestion-acceleration]").TextContent);
        Assert.Contains(cut.FindAll("[data-testid=suggestion-column]"), row => row.Children[0].TextContent == "GForceX" && row.Children[1].TextContent == "ax");
        Assert.Contains(cut.FindAll("[data-testid=suggestion-column]"), row => row.Children[0].TextContent == "Lap" && row.Children[1].TextContent == "—");
        Assert.Equal("500", cut.Find("[data-testid=suggestion-metric-samples]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=suggestion-rejection]"));

        await cut.Find("[data-testid=suggestion-use]").ClickAsync(new());
        Assert.Equal("GForceX", InputOf(cut, "profile-column-ax").GetAttribute("value"));
        Assert.Equal("Time", InputOf(cut, "profile-column-timestamp").GetAttribute("value"));
        await InputOf(cut, "profile-name").ChangeAsync(new() { Value = "racebox-mini" });
        await cut.Find("[data-testid=profile-save]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(["racebox-mini"], cut.FindAll("[data-testid=profile-row-name]").Select(e => e.TextContent)));
        await using var db = NewDb();
        var stored = DeviceProfileJson.Deserialize(await db.Set<StoredDeviceProfile>().AsNoTracking().SingleAsync());
        Assert.Equal("GForceX", stored.Columns["ax"]);
        Assert.Equal(SpeedUnit.MilesPerHour, stored.Speed);
        Assert.Equal(AccelerationUnit.G, stored.Acceleration);
        Assert.Equal(TimeBase.Iso8601, stored.Time);
        Assert.Null(stored.Mount);
    }

    [Fact]
    public async Task UnreadableSample_ShowsWhy_AndPreviewWithTheHandMadeMapping_ReadsIt()
    {
        RenderProviders();
        var cut = Render<AdminDeviceProfiles>();
        cut.WaitForElement("[data-testid=profile-sample]");
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(SampleFiles.OpaqueLogger(rows: 50), "logger.csv"));

        cut.WaitForAssertion(() => Assert.StartsWith("no_time_column", cut.Find("[data-testid=suggestion-rejection]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=suggestion-metrics]"));
        await cut.Find("[data-testid=suggestion-use]").ClickAsync(new());
        foreach (var (channel, column) in new[] { ("timestamp", "T_boot"), ("ax", "c1"), ("ay", "c2"), ("az", "c3"), ("gx", "c4"), ("gy", "c5"), ("gz", "c6") })
        {
            await InputOf(cut, "profile-column-" + channel).ChangeAsync(new() { Value = column });
        }

        var units = cut.FindComponents<MudSelect<string>>();
        await cut.InvokeAsync(() => units[1].Instance.ValueChanged.InvokeAsync(nameof(AngularRateUnit.RadiansPerSecond)));
        await cut.InvokeAsync(() => units[3].Instance.ValueChanged.InvokeAsync(nameof(TimeBase.RelativeMilliseconds)));
        await cut.Find("[data-testid=profile-preview]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal("50", cut.Find("[data-testid=suggestion-metric-samples]").TextContent));
        Assert.Contains("Preview with the profile as edited", cut.Find("[data-testid=profile-suggestion]").TextContent, StringComparison.Ordinal);
        Assert.Equal("0.98", cut.Find("[data-testid=suggestion-metric-duration_s]").TextContent); // 49 steps of 20 ms
        Assert.Equal("rad/s (from profile)", cut.Find("[data-testid=suggestion-angular-rate]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=suggestion-rejection]"));
    }

    [Fact]
    public async Task HalfStatedMount_IsRefusedUnderItsFields_AndAFullOneIsStored()
    {
        RenderProviders();
        var cut = Render<AdminDeviceProfiles>();
        await cut.WaitForElement("[data-testid=profile-new]").ClickAsync(new());
        await InputOf(cut, "profile-name").ChangeAsync(new() { Value = "pitched" });
        await InputOf(cut, "profile-mount-pitch").ChangeAsync(new() { Value = "35" });
        await cut.Find("[data-testid=profile-save]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("mount.roll:", cut.Find("[data-testid=profile-errors]").TextContent, StringComparison.Ordinal));
        Assert.Contains("mount.yaw:", cut.Find("[data-testid=profile-errors]").TextContent, StringComparison.Ordinal);
        await InputOf(cut, "profile-mount-roll").ChangeAsync(new() { Value = "0" });
        await InputOf(cut, "profile-mount-yaw").ChangeAsync(new() { Value = "-90" });
        await cut.Find("[data-testid=profile-save]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(["pitched"], cut.FindAll("[data-testid=profile-row-name]").Select(e => e.TextContent)));
        await using var db = NewDb();
        var stored = DeviceProfileJson.Deserialize(await db.Set<StoredDeviceProfile>().AsNoTracking().SingleAsync());
        Assert.Equal(new SensorMount(0, 35, -90), stored.Mount);
    }
}
