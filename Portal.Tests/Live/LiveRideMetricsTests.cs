using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Simulation;
using Portal.Core.Storage;
using Portal.Jobs.Live;
using Portal.Jobs.Pipeline;
using Portal.Tests.Pipeline;

namespace Portal.Tests.Live;

/// <summary>
/// Issue 5: a simulated session through Mosquitto and through the embedded broker becomes an analysed ride with the
/// same metrics as the same ride uploaded as a file. The live ride goes through the real subscriber, spool, canonical
/// CSV, <see cref="LiveRideIntakeSink"/>, intake and <see cref="AnalyzeRideJob"/> with the real analyzer; the file is
/// <see cref="SimulatedRideCsvWriter"/>'s CSV of the same simulation, uploaded through the same intake and job.
/// </summary>
[Trait("Category", "Live")]
public sealed class LiveRideMetricsTests
{
    [Theory]
    [InlineData("embedded", RideScenario.Track, 60)]
    [InlineData("mosquitto", RideScenario.Track, 60)]
    [InlineData("embedded", RideScenario.CrashLowside, 150)]
    [InlineData("mosquitto", RideScenario.CrashHighside, 150)]
    public async Task SimulatedLiveSession_BecomesAnAnalysedRide_WithTheMetricsOfTheSameRideUploadedAsAFile(string broker, RideScenario scenario, int seconds)
    {
        var scheduler = new RecordingJobScheduler();
        await using var mosquitto = broker == "mosquitto" ? await MosquittoBroker.StartAsync("rides") : null;
        var port = mosquitto?.Port ?? LiveTestPorts.FreeLoopbackPort();
        var settings = mosquitto is null
            ? new Dictionary<string, string?> { ["Mqtt:Broker"] = "Embedded", ["Mqtt:Embedded:Port"] = port.ToString(CultureInfo.InvariantCulture) }
            : new Dictionary<string, string?>
            {
                ["Mqtt:Broker"] = "External",
                ["Mqtt:External:Host"] = "127.0.0.1",
                ["Mqtt:External:Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["Mqtt:External:Username"] = MosquittoBroker.SubscriberUser,
                ["Mqtt:External:Password"] = mosquitto.SubscriberPassword,
                ["Mqtt:External:ClientId"] = "metrics-sub-" + Guid.NewGuid().ToString("N")[..8],
            };
        await using var host = await LiveTestHost.StartAsync(settings, pipeline: builder =>
        {
            builder.Services.AddSingleton<IObjectStorage>(new InMemoryObjectStorage(TimeProvider.System));
            builder.Services.AddSingleton<IRideJobScheduler>(scheduler);
            builder.AddRideAnalytics();
            builder.Services.AddRideIntake();
            builder.Services.AddScoped<AnalyzeRideJob>();
            builder.Services.AddScoped<HandleCrashJob>();
        });
        await host.WaitForSubscriberAsync();
        var riderId = Guid.NewGuid();
        var device = await host.RegisterDeviceAsync(riderId);
        await (mosquitto?.AddUserAsync(device.Device.Id, device.Secret) ?? Task.CompletedTask);
        var simulated = new SimulatedDevice(device.Device.Id, device.Secret);
        var options = new DeviceSimulationOptions { Port = port, Scenario = scenario, RateHz = 50, Batch = 50, Duration = TimeSpan.FromSeconds(seconds), RealTime = false, Seed = 11 };

        var published = await DeviceSimulator.RunAsync(simulated, options, TimeProvider.System, CancellationToken.None);
        await LiveTestPorts.WaitUntilAsync(() => !scheduler.Analyses.IsEmpty, TimeSpan.FromSeconds(60), "the live ride to be queued for analysis");
        var liveRideId = scheduler.Analyses.Single();
        var live = await AnalyseAsync(host.Services, liveRideId);

        using var file = new MemoryStream();
        await SimulatedRideCsvWriter.WriteAsync(file, DeviceSimulator.SimulationFor(simulated, options, start: null), gzip: false, maxContentBytes: null, CancellationToken.None);
        file.Position = 0;
        Guid uploadedRideId;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var upload = new RideUpload(riderId, riderId, RideSource.Web, "same-ride.csv");
            uploadedRideId = (await scope.ServiceProvider.GetRequiredService<RideIntake>().IngestAsync(upload, file, CancellationToken.None)).Ride.Id;
        }

        var uploaded = await AnalyseAsync(host.Services, uploadedRideId);

        Assert.Equal(RideSource.Live, live.Ride.Source);
        Assert.Equal(riderId, live.Ride.OwnerId);
        Assert.Equal(published.Samples, live.Metrics.Samples);
        Assert.Equal(scenario != RideScenario.Track, live.Metrics.CrashDetected);
        AssertSameMetrics(uploaded.Metrics, live.Metrics);
    }

    private static async Task<(Ride Ride, RideMetrics Metrics)> AnalyseAsync(IServiceProvider services, Guid rideId)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AnalyzeRideJob>().RunAsync(rideId, null, CancellationToken.None);
        }

        await using var read = services.CreateAsyncScope();
        var ride = await read.ServiceProvider.GetRequiredService<CatalogDbContext>().Rides.AsNoTracking().SingleAsync(r => r.Id == rideId);
        Assert.True(ride.MetricsJson is not null, $"Ride {rideId} has no metrics: {ride.Status} {ride.FailureCode} {ride.FailureMessage}");
        return (ride, JsonSerializer.Deserialize<RideMetrics>(ride.MetricsJson)!);
    }

    /// <summary>
    /// Every metric, property by property. Both files hold the same numbers (the live JSON is rounded as the CSV
    /// writer rounds, and both parse to the same doubles); the live CSV only adds an empty alt and a seq column and
    /// writes timestamps with 7 fractional digits instead of 3. A relative 1e-9 absorbs summation order, nothing more.
    /// </summary>
    private static void AssertSameMetrics(RideMetrics expected, RideMetrics actual)
    {
        foreach (var property in typeof(RideMetrics).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var want = property.GetValue(expected);
            var got = property.GetValue(actual);
            if (want is double wanted && got is double gotten)
            {
                Assert.True(Math.Abs(wanted - gotten) <= 1e-9 * Math.Max(1, Math.Abs(wanted)), $"{property.Name}: file {wanted}, live {gotten}");
            }
            else
            {
                Assert.True(Equals(want, got), $"{property.Name}: file {want ?? "null"}, live {got ?? "null"}");
            }
        }
    }
}
