using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Pipeline;

/// <summary>
/// Device profiles from the catalog in the real pipeline (real analyzer, real PostgreSQL): a file whose layout
/// guessing cannot read is analysed correctly when the upload names the profile or its device is bound to it.
/// </summary>
[Trait("Category", "Pipeline")]
public sealed class DeviceProfilePipelineTests(PostgresCatalogDatabase database) : IClassFixture<PostgresCatalogDatabase>, IAsyncLifetime
{
    private const string Sample = "city-gpsgaps-extracols-relative-50hz";
    private const double StandardGravity = 9.80665;

    private readonly FakeTimeProvider time = new(PipelineHarness.Start);
    private readonly RecordingJobScheduler scheduler = new();
    private ServiceProvider Services { get; set; } = null!;

    public Task InitializeAsync()
    {
        Services = BuildServices();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Services.DisposeAsync();

    [Fact]
    public async Task UnknownLayout_IsRejectedByGuessing_ButAnalysedCorrectly_WhenTheUploadNamesTheProfile()
    {
        var profile = await CreateProfileAsync();
        var rider = Guid.NewGuid();
        var bootClockFile = BootClockFile();

        var guessed = await UploadAndAnalyseAsync(new RideUpload(rider, rider, RideSource.Api, "guessed.csv"), bootClockFile);
        var named = await UploadAndAnalyseAsync(new RideUpload(rider, rider, RideSource.Api, "named.csv", ProfileName: profile), BootClockFile(offsetMs: 1_000));

        Assert.Equal(RideStatus.Failed, guessed.Status);
        Assert.Equal(RideRejectionCodes.NoTimeColumn, guessed.FailureCode);
        Assert.Equal(RideStatus.Analyzed, named.Status);
        AssertMatchesGroundTruth(named);
    }

    [Fact]
    public async Task UnknownLayout_IsAnalysedCorrectly_WhenItsDeviceIsBoundToTheProfile()
    {
        var profile = await CreateProfileAsync();
        var rider = Guid.NewGuid();
        var device = await InScopeAsync(s => s.GetRequiredService<DeviceRegistry>()
            .RegisterAsync(new DeviceRegistration("boot-clock suit", rider, ProfileName: profile), CancellationToken.None));

        var ride = await UploadAndAnalyseAsync(new RideUpload(rider, rider, RideSource.Api, "from-device.csv", DeviceId: device.Device.Id), BootClockFile());

        Assert.Equal(profile, (await InScopeAsync(s => s.GetRequiredService<IDeviceProfileResolver>().FindAsync(null, device.Device.Id, CancellationToken.None)))?.Name);
        Assert.Equal(RideStatus.Analyzed, ride.Status);
        AssertMatchesGroundTruth(ride);
    }

    [Fact]
    public async Task ProfileNamedOnTheUpload_WinsOverTheDevicesProfile()
    {
        var right = await CreateProfileAsync();
        var wrong = await CreateProfileAsync(mapTime: false);
        var rider = Guid.NewGuid();
        var device = await InScopeAsync(s => s.GetRequiredService<DeviceRegistry>()
            .RegisterAsync(new DeviceRegistration("suit", rider, ProfileName: wrong), CancellationToken.None));

        var ride = await UploadAndAnalyseAsync(new RideUpload(rider, rider, RideSource.Api, "both.csv", device.Device.Id, right), BootClockFile());
        var deviceOnly = await UploadAndAnalyseAsync(new RideUpload(rider, rider, RideSource.Api, "device-only.csv", device.Device.Id), BootClockFile(offsetMs: 5_000));

        Assert.Equal(RideStatus.Analyzed, ride.Status);
        Assert.Equal(RideStatus.Failed, deviceOnly.Status); // The device's profile leaves the time column unmapped.
    }

    [Fact]
    public async Task UploadNamingAnUnknownProfile_IsRefusedWithItsCode_AndStoresNothing()
    {
        var rider = Guid.NewGuid();
        var before = InMemoryObjectCount();

        var refused = await Assert.ThrowsAsync<UploadRefusedException>(() => InScopeAsync(s => s.GetRequiredService<RideIntake>().IngestAsync(
            new RideUpload(rider, rider, RideSource.Api, "typo.csv", ProfileName: "no-such-profile"), new MemoryStream(BootClockFile()), CancellationToken.None)));
        var sessionRefused = await Assert.ThrowsAsync<UploadRefusedException>(() => InScopeAsync(s => s.GetRequiredService<UploadSessions>().CreateAsync(
            new RideUpload(rider, rider, RideSource.Api, "typo.csv", ProfileName: "no-such-profile"), 100, CancellationToken.None)));

        Assert.Equal(UploadErrorCodes.UnknownProfile, refused.Code);
        Assert.Contains("no-such-profile", refused.Message, StringComparison.Ordinal);
        Assert.Equal(UploadErrorCodes.UnknownProfile, sessionRefused.Code);
        Assert.Equal(before, InMemoryObjectCount());
        Assert.False(await InScopeAsync(s => s.GetRequiredService<CatalogDbContext>().Rides.AnyAsync(r => r.OwnerId == rider)));
    }

    [Fact]
    public async Task UploadOverHttp_NamingAnUnknownProfile_Is400UnknownProfile()
    {
        await using var host = await PipelineApiHost.StartAsync(database, _ => { });
        var rider = Guid.NewGuid();
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes("timestamp,ax,ay,az,gx,gy,gz\n0,0,0,9.8,0,0,0\n1,0,0,9.8,0,0,0\n"));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        using var response = await client.PostAsync("/api/rides?profile=no-such-profile", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(UploadErrorCodes.UnknownProfile, (await response.Content.ReadFromJsonAsync<JsonObject>())?["code"]?.GetValue<string>());
        Assert.Empty(host.Storage.Keys(BucketKind.Raw));
    }

    [Fact]
    public async Task Resolver_TakesTheNamedProfile_ThenTheDevicesProfile_ThenNone()
    {
        var named = await CreateProfileAsync();
        var bound = await CreateProfileAsync();
        var rider = Guid.NewGuid();
        var device = await InScopeAsync(s => s.GetRequiredService<DeviceRegistry>()
            .RegisterAsync(new DeviceRegistration("suit", rider, ProfileName: bound), CancellationToken.None));
        var bare = await InScopeAsync(s => s.GetRequiredService<DeviceRegistry>()
            .RegisterAsync(new DeviceRegistration("bare suit", rider), CancellationToken.None));

        Task<DeviceProfile?> Find(string? profile, string? deviceId) =>
            InScopeAsync(s => s.GetRequiredService<IDeviceProfileResolver>().FindAsync(profile, deviceId, CancellationToken.None));

        Assert.Equal(named, (await Find(named, device.Device.Id))?.Name);
        Assert.Equal(bound, (await Find(null, device.Device.Id))?.Name);
        Assert.Equal(bound, (await Find("deleted-since-upload", device.Device.Id))?.Name);
        Assert.Null(await Find(null, bare.Device.Id));
        Assert.Null(await Find(null, null));
        Assert.Equal(AccelerationUnit.G, (await Find(named, null))?.Acceleration);
    }

    /// <summary>The sample rewritten as a third-party logger would write it: opaque column names, time in ms since boot, g, rad/s, m/s.</summary>
    private static byte[] BootClockFile(int offsetMs = 123_456)
    {
        var lines = File.ReadAllLines(Path.Combine(TestServices.SamplesDir, Sample + ".csv"));
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"{Sample} has no {name} column");
        var (t, ax, ay, az, gx, gy, gz, speed, lat, lon, temp) =
            (Column("timestamp"), Column("ax"), Column("ay"), Column("az"), Column("gx"), Column("gy"), Column("gz"), Column("speed"), Column("lat"), Column("lon"), Column("temp_c"));
        var output = new StringBuilder("T_boot,c1,c2,c3,c4,c5,c6,v,p1,p2,temp_c\n");
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            string Scaled(int index, double factor) => cells[index].Length == 0
                ? ""
                : (double.Parse(cells[index], CultureInfo.InvariantCulture) * factor).ToString("R", CultureInfo.InvariantCulture);
            var ms = Math.Round(double.Parse(cells[t], CultureInfo.InvariantCulture) * 1000) + offsetMs;
            output.Append(CultureInfo.InvariantCulture, $"{ms},{Scaled(ax, 1 / StandardGravity)},{Scaled(ay, 1 / StandardGravity)},{Scaled(az, 1 / StandardGravity)},")
                .Append(CultureInfo.InvariantCulture, $"{Scaled(gx, Math.PI / 180)},{Scaled(gy, Math.PI / 180)},{Scaled(gz, Math.PI / 180)},")
                .Append(CultureInfo.InvariantCulture, $"{Scaled(speed, 1 / 3.6)},{cells[lat]},{cells[lon]},{cells[temp]}\n");
        }

        return Encoding.UTF8.GetBytes(output.ToString());
    }

    private static void AssertMatchesGroundTruth(Ride ride)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestServices.SamplesDir, Sample + ".expected.json")));
        var truth = expected.RootElement;
        using var metrics = JsonDocument.Parse(ride.MetricsJson!);
        var actual = metrics.RootElement;
        Assert.InRange(actual.GetProperty("distance_km").GetDouble(), truth.GetProperty("distance_km").GetDouble() * 0.98, truth.GetProperty("distance_km").GetDouble() * 1.02);
        Assert.InRange(actual.GetProperty("max_speed_kmh").GetDouble(), truth.GetProperty("max_speed_kmh").GetDouble() * 0.97, truth.GetProperty("max_speed_kmh").GetDouble() * 1.03);
        Assert.InRange(actual.GetProperty("duration_s").GetDouble(), truth.GetProperty("duration_s").GetDouble() - 0.1, truth.GetProperty("duration_s").GetDouble() + 0.1);
        Assert.Equal(truth.GetProperty("left_turns").GetInt32(), actual.GetProperty("left_turns").GetInt32());
        Assert.Equal(truth.GetProperty("right_turns").GetInt32(), actual.GetProperty("right_turns").GetInt32());
        Assert.Equal(truth.GetProperty("crash_detected").GetBoolean(), actual.GetProperty("crash_detected").GetBoolean());
    }

    /// <returns>The profile's unique name.</returns>
    private async Task<string> CreateProfileAsync(bool mapTime = true)
    {
        var columns = new Dictionary<string, string?>
        {
            ["ax"] = "c1", ["ay"] = "c2", ["az"] = "c3", ["gx"] = "c4", ["gy"] = "c5", ["gz"] = "c6", ["speed"] = "v", ["lat"] = "p1", ["lon"] = "p2",
        };
        if (mapTime)
        {
            columns["timestamp"] = "T_boot";
        }

        var name = $"boot-clock-{Guid.NewGuid():N}"[..24];
        var result = await InScopeAsync(s => s.GetRequiredService<DeviceProfileCatalog>().CreateAsync(
            new DeviceProfileDraft(name, "third-party logger", columns, "G", "RadiansPerSecond", "MetersPerSecond", "RelativeMilliseconds"), CancellationToken.None));
        Assert.Equal(DeviceProfileOutcome.Saved, result.Outcome);
        return name;
    }

    private async Task<Ride> UploadAndAnalyseAsync(RideUpload upload, byte[] content)
    {
        var intake = await InScopeAsync(s => s.GetRequiredService<RideIntake>().IngestAsync(upload, new MemoryStream(content), CancellationToken.None));
        await InScopeAsync(async s =>
        {
            await s.GetRequiredService<AnalyzeRideJob>().RunAsync(intake.Ride.Id, null, CancellationToken.None);
            return true;
        });
        return await InScopeAsync(s => s.GetRequiredService<CatalogDbContext>().Rides.AsNoTracking().SingleAsync(r => r.Id == intake.Ride.Id));
    }

    private int InMemoryObjectCount() => Services.GetRequiredService<InMemoryObjectStorage>().Keys(BucketKind.Raw).Count;

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private ServiceProvider BuildServices()
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddDbContext<CatalogDbContext>(database.Configure);
        collection.AddSingleton<TimeProvider>(time);
        var storage = new InMemoryObjectStorage(time);
        collection.AddSingleton(storage);
        collection.AddSingleton<IObjectStorage>(storage);
        collection.AddSingleton<IRideJobScheduler>(scheduler);
        collection.AddSingleton<IRideAnalyzer>(new RideAnalyzer());
        collection.AddRideIntake();
        collection.AddDeviceRegistry();
        collection.AddScoped<AnalyzeRideJob>();
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
