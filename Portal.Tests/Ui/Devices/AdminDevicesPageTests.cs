using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Components.Pages.Devices;
using Portal.Core.Devices;
using Portal.Identity;

namespace Portal.Tests.Ui.Devices;

/// <summary>/admin/devices: registration and rotation show the secret once, technicians are kept to their team, the list tells who is online.</summary>
[Trait("Category", "Ui")]
public sealed class AdminDevicesPageTests : DevicesUiTestContext
{
    [Fact]
    public async Task Registering_ShowsTheSecretOnceInADialogWithACopyButton_AndNowhereAfterItIsClosed()
    {
        SignIn(PortalRoles.Admin);
        var rider = await AddRiderAsync("anna@x.test");
        await AddProfileAsync("boot-logger");
        var dialogs = RenderProviders();
        var cut = Render<AdminDevices>();
        cut.WaitForElement("[data-testid=register-device-submit]");

        await InputOf(cut, "device-name").ChangeAsync(new() { Value = "Anna's suit" });
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<Guid?>>().Instance.ValueChanged.InvokeAsync(rider.UserId));
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("boot-logger"));
        await cut.Find("[data-testid=register-device-submit]").ClickAsync(new());

        var secret = dialogs.WaitForElement("[data-testid=device-secret-dialog] input").GetAttribute("value") ?? "";
        Assert.Contains("only this once", dialogs.Find("[data-testid=device-secret-warning]").TextContent, StringComparison.Ordinal);
        await using (var db = NewDb())
        {
            var device = await db.Set<Device>().AsNoTracking().SingleAsync();
            Assert.Equal("boot-logger", device.ProfileName);
            Assert.Equal(rider.UserId, device.RiderId);
            Assert.True(DeviceSecretHasher.Verify(secret, device.SecretHash), "the dialog shows the secret the device was registered with");
            Assert.Equal(device.Id, dialogs.Find("[data-testid=device-secret-id]").TextContent);
        }

        await dialogs.Find("[data-testid=device-secret-copy]").ClickAsync(new());
        Assert.Equal(secret, JSInterop.VerifyInvoke("navigator.clipboard.writeText").Arguments[0]);
        await dialogs.Find("[data-testid=device-secret-close]").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=device-secret-dialog]")));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=device-row-name]")));
        Assert.DoesNotContain(secret, cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, dialogs.Markup, StringComparison.Ordinal);
        var reopened = Render<AdminDevices>();
        reopened.WaitForAssertion(() => Assert.Single(reopened.FindAll("[data-testid=device-row-name]")));
        Assert.DoesNotContain(secret, reopened.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotatingASecret_ShowsTheNewOneOnce_AndTheOldOneStopsWorking()
    {
        SignIn(PortalRoles.Admin);
        var rider = await AddRiderAsync("anna@x.test");
        string oldSecret;
        string deviceId;
        await using (var db = NewDb())
        {
            var registered = await new DeviceRegistry(db, Clock).RegisterAsync(new DeviceRegistration("suit", rider.UserId), CancellationToken.None);
            (oldSecret, deviceId) = (registered.Secret, registered.Device.Id);
        }

        var dialogs = RenderProviders();
        var cut = Render<AdminDevices>();
        await cut.WaitForElement("[data-testid=device-rotate]").ClickAsync(new());

        var secret = dialogs.WaitForElement("[data-testid=device-secret-dialog] input").GetAttribute("value") ?? "";
        await using var check = NewDb();
        var registry = new DeviceRegistry(check, Clock);
        Assert.NotEqual(oldSecret, secret);
        Assert.Equal(DeviceAuthenticationOutcome.Accepted, (await registry.AuthenticateAsync(deviceId, secret, CancellationToken.None)).Outcome);
        Assert.Equal(DeviceAuthenticationOutcome.WrongSecret, (await registry.AuthenticateAsync(deviceId, oldSecret, CancellationToken.None)).Outcome);
        Assert.DoesNotContain(secret, cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Technician_SeesOnlyTheApprovedTeamsDevices_AndCannotRegisterForAnotherRider()
    {
        SignIn(PortalRoles.Technician);
        var team = await AddRiderAsync("team@x.test", UserId, approved: true);
        var pending = await AddRiderAsync("pending@x.test", UserId, approved: false);
        var other = await AddRiderAsync("other@x.test", Guid.NewGuid(), approved: true);
        await AddDeviceAsync("team suit", team.UserId);
        await AddDeviceAsync("pending suit", pending.UserId);
        await AddDeviceAsync("other suit", other.UserId);
        RenderProviders();

        var cut = Render<AdminDevices>();
        cut.WaitForAssertion(() => Assert.Equal(["team suit"], cut.FindAll("[data-testid=device-row-name]").Select(e => e.TextContent)));
        Assert.Equal([team.UserId], cut.FindComponent<RegisterDeviceForm>().Instance.Riders.Select(r => r.UserId));
        await InputOf(cut, "device-name").ChangeAsync(new() { Value = "smuggled suit" });
        await cut.InvokeAsync(() => cut.FindComponent<MudSelect<Guid?>>().Instance.ValueChanged.InvokeAsync(other.UserId));
        await cut.Find("[data-testid=register-device-submit]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Contains("approved team", cut.Find("[data-testid=devices-message]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=broker-panel]"));
        await using var db = NewDb();
        Assert.False(await db.Set<Device>().AnyAsync(d => d.Name == "smuggled suit"));
    }

    [Fact]
    public async Task List_TellsOnlineFromOffline_ShowsCounters_AndDisablingADeviceSticks()
    {
        SignIn(PortalRoles.Admin);
        var rider = await AddRiderAsync("anna@x.test");
        var online = await AddDeviceAsync("a online", rider.UserId, lastSeen: Clock.GetUtcNow().AddSeconds(-20));
        await AddDeviceAsync("b offline", rider.UserId, lastSeen: Clock.GetUtcNow().AddMinutes(-10));
        RenderProviders();

        var cut = Render<AdminDevices>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=device-row-name]").Count));
        Assert.Single(cut.FindAll("[data-testid=device-row-online]"));
        Assert.Single(cut.FindAll("[data-testid=device-row-offline]"));
        Assert.Equal("42 / 3", cut.FindAll("[data-testid=device-row-counters]")[0].TextContent.Trim());
        await cut.FindAll("[data-testid=device-disable]")[0].ClickAsync(new());

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=device-row-disabled]")));
        Assert.Empty(cut.FindAll("[data-testid=device-row-online]"));
        await using var db = NewDb();
        Assert.True((await db.Set<Device>().AsNoTracking().SingleAsync(d => d.Id == online.Id)).Disabled);
    }

    [Fact]
    public async Task BrokerPanel_ShowsTheEmbeddedBrokersCounters_ForAdmins()
    {
        SignIn(PortalRoles.Admin);
        Metrics.SetBrokerRunning(true);
        Metrics.ConnectionAccepted();
        Metrics.ConnectionAccepted();
        Metrics.ConnectionRejected(Portal.Jobs.Live.RejectReason.WrongSecret);
        RenderProviders();

        var cut = Render<AdminDevices>();

        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=broker-connections-accepted]").TextContent));
        Assert.Equal("1", cut.Find("[data-testid=broker-connections-rejected]").TextContent);
        Assert.Contains("running", cut.Find("[data-testid=broker-running]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=broker-external]"));
    }

    [Fact]
    public void BrokerPanel_SaysSo_WhenTheBrokerIsExternal()
    {
        Services.AddSingleton(new Portal.Jobs.Live.LiveIngestRole(HostsBroker: false, RunsSubscriber: true));
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Portal.Jobs.Live.MqttOptions
        {
            Broker = Portal.Jobs.Live.MqttBrokerMode.External,
            External = { Host = "mqtt.example.test", Port = 8883 },
        }));

        var cut = Render<BrokerPanel>();

        Assert.Contains("external (mqtt.example.test:8883)", cut.Find("[data-testid=broker-external]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=broker-counters]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=subscriber-counters]"));
    }
}
