using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Components.Pages.Live;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Core.Live;
using Portal.Identity;
using Portal.Tests.Live;
using Portal.Tests.Ui.Rides;

namespace Portal.Tests.Ui.Live;

/// <summary>The /live page: whose devices it lists, online and offline states, charts once samples exist, and cleanup.</summary>
[Trait("Category", "Ui")]
public sealed class LiveViewPageTests : RidePagesTestContext
{
    private readonly RecordingTelemetrySource source = new();
    private readonly LiveFeed feed;

    public LiveViewPageTests()
    {
        var options = Options.Create(new LiveViewOptions());
        feed = new LiveFeed(source, options);
        Services.AddSingleton(feed);
        Services.AddSingleton(options);
    }

    /// <summary>Opens /live, or /live?device=ID, as the browser would (the page reads the device from the query string).</summary>
    private IRenderedComponent<LiveView> RenderLive(string? deviceId = null)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(deviceId is null ? "/live" : navigation.GetUriWithQueryParameter("device", deviceId));
        return Render<LiveView>();
    }

    private async Task<Device> AddDeviceAsync(Guid riderId, string name, DateTimeOffset? lastSeenAt = null)
    {
        var device = new Device
        {
            Id = "dev-" + Guid.NewGuid().ToString("N")[..8],
            Name = name,
            RiderId = riderId,
            SecretHash = "not-used-here",
            CreatedAt = Time.GetUtcNow().AddDays(-1),
            LastSeenAt = lastSeenAt,
        };
        await using var db = OpenCatalog();
        db.Set<Device>().Add(device);
        await db.SaveChangesAsync();
        return device;
    }

    private async Task<Guid> AddRiderAsync(string name, Guid? technicianId = null, bool approved = false)
    {
        var id = Guid.NewGuid();
        await using var db = OpenCatalog();
        db.Riders.Add(new RiderProfile
        {
            UserId = id,
            Email = $"{name}@test",
            DisplayName = name,
            Category = RiderCategory.Professional,
            TechnicianId = technicianId,
            TeamMembershipApproved = approved,
        });
        await db.SaveChangesAsync();
        return id;
    }

    private static string[] ListedDevices(IRenderedComponent<LiveView> page) =>
        [.. page.FindAll("[data-testid=live-device]").Select(d => d.GetAttribute("data-device")!).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Rider_SeesOnlyTheirOwnDevices()
    {
        var mine = await AddDeviceAsync(RiderId, "My suit");
        await AddDeviceAsync(await AddRiderAsync("Other"), "Someone else's suit");
        SignIn();

        var page = RenderLive();

        page.WaitForAssertion(() => Assert.Equal([mine.Id], ListedDevices(page)));
        Assert.NotNull(page.Find("[data-testid=live-pick]"));
    }

    [Fact]
    public async Task Technician_SeesTheApprovedTeamsDevices_NotAPendingMembersOrAnyoneElses()
    {
        var technician = Guid.NewGuid();
        var member = await AddDeviceAsync(await AddRiderAsync("Member", technician, approved: true), "Member's suit");
        await AddDeviceAsync(await AddRiderAsync("Pending", technician, approved: false), "Pending rider's suit");
        await AddDeviceAsync(await AddRiderAsync("Stranger"), "Stranger's suit");
        SignIn(technician, PortalRoles.Technician);

        var page = RenderLive();

        page.WaitForAssertion(() => Assert.Equal([member.Id], ListedDevices(page)));
        Assert.Contains("Member", page.Find("[data-testid=live-device]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_SeesEveryDevice()
    {
        var a = await AddDeviceAsync(RiderId, "A");
        var b = await AddDeviceAsync(await AddRiderAsync("Other"), "B");
        SignIn(Guid.NewGuid(), PortalRoles.Admin);

        var page = RenderLive();

        page.WaitForAssertion(() => Assert.Equal(new[] { a.Id, b.Id }.Order(StringComparer.Ordinal), ListedDevices(page)));
    }

    [Fact]
    public async Task AnotherRidersDevice_LooksExactlyLikeAMissingOne_AndIsNeverWatched()
    {
        var foreign = await AddDeviceAsync(await AddRiderAsync("Other"), "Someone else's suit");
        SignIn();

        var forbidden = RenderLive(foreign.Id);
        forbidden.WaitForAssertion(() => Assert.NotNull(forbidden.Find("[data-testid=live-not-found]")));
        var forbiddenText = forbidden.Find("[data-testid=live-not-found]").TextContent;
        Assert.DoesNotContain("Someone else's suit", forbidden.Markup, StringComparison.Ordinal);
        await DisposeComponentsAsync();

        var missing = RenderLive("dev-missing");
        missing.WaitForAssertion(() => Assert.NotNull(missing.Find("[data-testid=live-not-found]")));

        Assert.Equal(missing.Find("[data-testid=live-not-found]").TextContent, forbiddenText);
        Assert.Equal(0, source.WatchCalls);
    }

    [Fact]
    public async Task DeviceNotSeenRecently_IsOffline_WaitingForData_WithoutCharts()
    {
        var device = await AddDeviceAsync(RiderId, "My suit", lastSeenAt: Time.GetUtcNow().AddHours(-2));
        SignIn();

        var page = RenderLive(device.Id);

        page.WaitForAssertion(() => Assert.Equal("Offline", page.Find("[data-testid=live-state]").GetAttribute("data-state")));
        Assert.Contains("Offline", page.Find("[data-testid=live-waiting]").TextContent, StringComparison.Ordinal);
        Assert.Equal("false", page.Find("[data-testid=live-device]").GetAttribute("data-online"));
        Assert.Empty(page.FindAll("[data-testid=live-chart-speed]"));
        Assert.Equal([device.Id], source.Watched); // it is watched anyway, so its first samples show at once
    }

    [Fact]
    public async Task DeviceSeenRecently_IsOnline_AndWaitsForItsFirstSamples()
    {
        var device = await AddDeviceAsync(RiderId, "My suit", lastSeenAt: Time.GetUtcNow().AddSeconds(-5));
        SignIn();

        var page = RenderLive(device.Id);

        page.WaitForAssertion(() => Assert.Equal("Waiting", page.Find("[data-testid=live-state]").GetAttribute("data-state")));
        Assert.Equal("true", page.Find("[data-testid=live-device]").GetAttribute("data-online"));
        Assert.Contains("Waiting for data", page.Find("[data-testid=live-waiting]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Samples_ShowSpeedLeanAndAccelerationCharts_DurationAndRate_OnTheNextRefresh()
    {
        var device = await AddDeviceAsync(RiderId, "My suit");
        SignIn();
        var page = RenderLive(device.Id);
        page.WaitForAssertion(() => Assert.Equal([device.Id], source.Watched));

        var start = Time.GetUtcNow().AddSeconds(-10);
        var buffer = source.BufferOf(device.Id);
        buffer.OnSessionEvent(LiveSessionEvent.Start, start);
        buffer.Add([.. Enumerable.Range(0, 500).Select(i => new LiveReading(start.AddMilliseconds(i * 20).UtcTicks, 0.5, 0, 9.81, 0, 0, 0, 80))], Time.GetUtcNow());
        Assert.Empty(page.FindAll("[data-testid=live-chart-speed] svg")); // nothing until the timer refreshes
        Time.Advance(LiveView.RefreshInterval);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=live-chart-speed] .svg-chart-wide svg")));
        Assert.NotEmpty(page.FindAll("[data-testid=live-chart-lean] .svg-chart-wide svg"));
        Assert.NotEmpty(page.FindAll("[data-testid=live-chart-acceleration] .svg-chart-wide svg"));
        Assert.Equal("Streaming", page.Find("[data-testid=live-state]").GetAttribute("data-state"));
        Assert.Equal("50", page.Find("[data-testid=live-rate] .metric-value-number").TextContent);
        Assert.Contains("Hz", page.Find("[data-testid=live-rate]").TextContent, StringComparison.Ordinal);
        Assert.Equal("80", page.Find("[data-testid=live-speed] .metric-value-number").TextContent);
        Assert.Equal("10 s", page.Find("[data-testid=live-duration] .metric-value-number").TextContent);
        Assert.Empty(page.FindAll("[data-testid=live-duration-partial]"));
    }

    [Fact]
    public async Task StreamThatStops_TurnsStale_AndAnEndedSessionSaysSo()
    {
        var device = await AddDeviceAsync(RiderId, "My suit");
        SignIn();
        var page = RenderLive(device.Id);
        page.WaitForAssertion(() => Assert.Equal([device.Id], source.Watched));
        var buffer = source.BufferOf(device.Id);
        buffer.Add([new LiveReading(Time.GetUtcNow().UtcTicks, 0, 0, 9.81, 0, 0, 0, 30)], Time.GetUtcNow());

        Time.Advance(TimeSpan.FromSeconds(8));
        page.WaitForAssertion(() => Assert.Equal("Stale", page.Find("[data-testid=live-state]").GetAttribute("data-state")));
        Assert.NotEmpty(page.FindAll("[data-testid=live-duration-partial]")); // it never saw the start event

        buffer.OnSessionEvent(LiveSessionEvent.End, Time.GetUtcNow());
        Time.Advance(LiveView.RefreshInterval);
        page.WaitForAssertion(() => Assert.Equal("Ended", page.Find("[data-testid=live-state]").GetAttribute("data-state")));
    }

    [Fact]
    public async Task CrashOnTheStream_ShowsARedAlertWithTimeAndPlace_AndStopsSayingLiveAndShowingLean()
    {
        var device = await AddDeviceAsync(RiderId, "My suit");
        SignIn();
        var page = RenderLive(device.Id);
        page.WaitForAssertion(() => Assert.Equal([device.Id], source.Watched));
        var simulator = new Portal.Core.Simulation.RideSimulator(new Portal.Core.Simulation.SimulationOptions
        {
            Scenario = Portal.Core.Simulation.RideScenario.CrashLowside, DurationSeconds = 150, RateHz = 50, Seed = 7,
            StartTime = Time.GetUtcNow().AddSeconds(-150),
        });
        var readings = new List<LiveReading>();
        while (simulator.TryNext(out var sample))
        {
            var m = sample.Measured;
            readings.Add(new LiveReading(simulator.StartTime.UtcTicks + (long)(m.T * TimeSpan.TicksPerSecond), m.Ax, m.Ay, m.Az, m.Gx, m.Gy, m.Gz, m.Speed, m.Lat, m.Lon));
        }

        source.BufferOf(device.Id).Add(readings, Time.GetUtcNow());
        Time.Advance(LiveView.RefreshInterval);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=live-crash]")));
        var alert = page.Find("[data-testid=live-crash]");
        Assert.Contains("mud-alert-filled-error", alert.ClassName, StringComparison.Ordinal);
        Assert.Contains("Crash detected", alert.TextContent, StringComparison.Ordinal);
        Assert.Matches(@"\d{2}:\d{2}:\d{2} UTC", page.Find("[data-testid=live-crash-time]").TextContent);
        Assert.Matches(@"44\.\d{5}, 11\.\d{5}", page.Find("[data-testid=live-crash-place]").TextContent);
        Assert.Equal("Crashed", page.Find("[data-testid=live-state]").GetAttribute("data-state"));
        Assert.DoesNotContain("Live", page.Find("[data-testid=live-state]").TextContent, StringComparison.Ordinal);
        Assert.Equal("—", page.Find("[data-testid=live-lean] .metric-value-number").TextContent.Trim());
    }

    [Fact]
    public async Task EndedSession_OpensItsRide_OnceTheRideIsSaved()
    {
        var device = await AddDeviceAsync(RiderId, "My suit");
        SignIn();
        var page = RenderLive(device.Id);
        page.WaitForAssertion(() => Assert.Equal([device.Id], source.Watched));
        var buffer = source.BufferOf(device.Id);
        buffer.OnSessionEvent(LiveSessionEvent.Start, Time.GetUtcNow());
        buffer.Add([new LiveReading(Time.GetUtcNow().UtcTicks, 0, 0, 9.81, 0, 0, 0, 30)], Time.GetUtcNow());
        buffer.OnSessionEvent(LiveSessionEvent.End, Time.GetUtcNow());
        Time.Advance(LiveView.RefreshInterval);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=live-ended-saving]")));

        var ride = await AddRideAsync(r =>
        {
            r.Source = RideSource.Live;
            r.DeviceId = device.Id;
            r.UploadedAt = Time.GetUtcNow();
        });
        Time.Advance(LiveView.RefreshInterval);

        page.WaitForAssertion(() => Assert.Equal($"/rides/{ride.Id}", page.Find("[data-testid=live-ended-ride]").GetAttribute("href")));
    }

    [Fact]
    public async Task LeavingThePage_StopsWatching_AndStopsItsTimer()
    {
        var device = await AddDeviceAsync(RiderId, "My suit");
        SignIn();
        var page = RenderLive(device.Id);
        page.WaitForAssertion(() => Assert.Equal([device.Id], source.Watched));
        Assert.True(Clock.ActiveTimers > 0);

        await DisposeComponentsAsync();

        Assert.Empty(source.Watched);
        Assert.Equal(0, feed.ViewersOf(device.Id));
        Assert.Equal(0, Clock.ActiveTimers);
    }

    [Fact]
    public void LiveView_IsInTheMenu_ForEveryRole()
    {
        foreach (var role in new[] { PortalRoles.Rider, PortalRoles.Technician, PortalRoles.RnD, PortalRoles.Admin })
        {
            var user = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, role)], "test"));
            Assert.Contains(Portal.Components.Layout.PortalNavigation.For(user), item => item.Href == "/live");
        }
    }
}
