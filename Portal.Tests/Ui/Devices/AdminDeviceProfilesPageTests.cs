using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using MudBlazor.Extensions;
using Portal.Components.Pages.Devices;
using Portal.Core.Analytics;
using Portal.Core.Devices;
using Portal.Identity;

namespace Portal.Tests.Ui.Devices;

/// <summary>/admin/device-profiles: validation messages under their fields, create and edit, delete refused while in use.</summary>
[Trait("Category", "Ui")]
public sealed class AdminDeviceProfilesPageTests : DevicesUiTestContext
{
    public AdminDeviceProfilesPageTests() => SignIn(PortalRoles.Admin);

    [Fact]
    public async Task InvalidProfile_ShowsEachMessageUnderItsField_AndSavesNothing()
    {
        RenderProviders();
        var cut = Render<AdminDeviceProfiles>();
        await cut.WaitForElement("[data-testid=profile-new]").ClickAsync(new());

        await InputOf(cut, "profile-name").ChangeAsync(new() { Value = "bad/name" });
        await InputOf(cut, "profile-column-ax").ChangeAsync(new() { Value = "c1" });
        await InputOf(cut, "profile-column-ay").ChangeAsync(new() { Value = "C1" });
        await cut.Find("[data-testid=profile-save]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=profile-errors]")));
        var errors = cut.Find("[data-testid=profile-errors]").TextContent;
        Assert.Contains("name:", errors, StringComparison.Ordinal);
        Assert.Contains("columns.ay: Column 'C1' already feeds ax", errors, StringComparison.Ordinal);
        var fields = cut.FindComponents<MudTextField<string>>();
        Assert.Contains("already feeds ax", fields.Single(f => f.Instance.Label == "ay").Instance.GetState(x => x.ErrorText), StringComparison.Ordinal);
        Assert.True(fields.Single(f => f.Instance.Label == "Name").Instance.GetState(x => x.Error));
        Assert.False(fields.Single(f => f.Instance.Label == "ax").Instance.GetState(x => x.Error));
        await using var db = NewDb();
        Assert.False(await db.Set<StoredDeviceProfile>().AnyAsync());
    }

    [Fact]
    public async Task ValidProfile_IsStoredAndListed_AndEditingKeepsItsName()
    {
        RenderProviders();
        var cut = Render<AdminDeviceProfiles>();
        await cut.WaitForElement("[data-testid=profile-new]").ClickAsync(new());

        await InputOf(cut, "profile-name").ChangeAsync(new() { Value = "boot-logger" });
        await InputOf(cut, "profile-column-timestamp").ChangeAsync(new() { Value = "T_boot" });
        await InputOf(cut, "profile-column-ax").ChangeAsync(new() { Value = "c1" });
        var units = cut.FindComponents<MudSelect<string>>();
        await cut.InvokeAsync(() => units[0].Instance.ValueChanged.InvokeAsync(nameof(AccelerationUnit.G)));
        await cut.InvokeAsync(() => units[3].Instance.ValueChanged.InvokeAsync(nameof(TimeBase.RelativeMilliseconds)));
        await cut.Find("[data-testid=profile-save]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(["boot-logger"], cut.FindAll("[data-testid=profile-row-name]").Select(e => e.TextContent)));
        await cut.Find("[data-testid=profile-edit]").ClickAsync(new());
        Assert.True(InputOf(cut, "profile-name").HasAttribute("disabled"));
        Assert.Equal("T_boot", InputOf(cut, "profile-column-timestamp").GetAttribute("value"));
        await InputOf(cut, "profile-column-ay").ChangeAsync(new() { Value = "c2" });
        await cut.Find("[data-testid=profile-save]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=profile-editor]")));
        await using var db = NewDb();
        var stored = DeviceProfileJson.Deserialize(await db.Set<StoredDeviceProfile>().AsNoTracking().SingleAsync());
        Assert.Equal("boot-logger", stored.Name);
        Assert.Equal(AccelerationUnit.G, stored.Acceleration);
        Assert.Equal(TimeBase.RelativeMilliseconds, stored.Time);
        Assert.Equal("c2", stored.Columns["ay"]);
        Assert.Equal("T_boot", stored.Columns["timestamp"]);
    }

    [Fact]
    public async Task DeletingAProfileADeviceUses_IsRefusedWithTheReason_AndAnUnusedOneIsDeleted()
    {
        await AddProfileAsync("in-use");
        await AddProfileAsync("spare");
        var rider = await AddRiderAsync("anna@x.test");
        await AddDeviceAsync("suit", rider.UserId, profile: "in-use");
        RenderProviders();
        var cut = Render<AdminDeviceProfiles>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=profile-row-name]").Count));

        await cut.FindAll("[data-testid=profile-delete]")[0].ClickAsync(new());
        cut.WaitForAssertion(() => Assert.Contains("used by 1 device", cut.Find("[data-testid=profiles-message]").TextContent, StringComparison.Ordinal));
        await cut.FindAll("[data-testid=profile-delete]")[1].ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Equal(["in-use"], cut.FindAll("[data-testid=profile-row-name]").Select(e => e.TextContent)));
        await using var db = NewDb();
        Assert.Equal(["in-use"], await db.Set<StoredDeviceProfile>().Select(p => p.Name).ToListAsync());
    }
}
