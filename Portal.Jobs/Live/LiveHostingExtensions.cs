using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Core.Devices;
using Portal.Core.Hosting;

namespace Portal.Jobs.Live;

public static class LiveHostingExtensions
{
    /// <summary>
    /// Live devices: the <c>Mqtt</c> options, the device registry, the embedded broker (when <c>Mqtt:Broker</c> is
    /// Embedded), the subscriber (when <c>Mqtt:Subscriber:Enabled</c>) and the "mqtt" health check.
    /// Needs the catalog (<see cref="Portal.Core.Catalog.CatalogDbContext"/>) and an <see cref="ILiveRideSink"/>.
    /// </summary>
    /// <param name="workerProcess">
    /// True in a separate worker process: it never hosts the embedded broker, and runs a subscriber only against an
    /// external broker (with the embedded broker the portal process is the one subscriber, since two subscribers with
    /// one client id would take each other's session over).
    /// </param>
    public static IHostApplicationBuilder AddLiveDevices(this IHostApplicationBuilder builder, bool workerProcess = false)
    {
        var services = builder.Services;
        services.AddOptions<EmbeddedOptions>().BindConfiguration(EmbeddedOptions.Section);
        services.AddOptions<MqttOptions>()
            .BindConfiguration(MqttOptions.Section)
            .PostConfigure<IOptions<EmbeddedOptions>>((mqtt, embedded) =>
            {
                mqtt.Subscriber.SpoolDir = Path.GetFullPath(string.IsNullOrWhiteSpace(mqtt.Subscriber.SpoolDir)
                    ? Path.Combine(embedded.Value.DataDir, "spool")
                    : mqtt.Subscriber.SpoolDir);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());

        services.AddDeviceRegistry();
        services.TryAddSingleton<LiveIngestMetrics>();
        services.TryAddSingleton<SubscriberCredentials>();
        services.TryAddSingleton<LiveSessionManager>();
        services.TryAddScoped<LiveCrashNotifier>();
        services.AddHostedService<DeviceActivityFlusher>();

        var mqttSection = builder.Configuration.GetSection(MqttOptions.Section);
        var external = string.Equals(mqttSection["Broker"], nameof(MqttBrokerMode.External), StringComparison.OrdinalIgnoreCase);
        var hostsBroker = !external && !workerProcess;
        var runsSubscriber = !string.Equals(mqttSection["Subscriber:Enabled"], "false", StringComparison.OrdinalIgnoreCase) && (external || !workerProcess);
        services.TryAddSingleton(new LiveIngestRole(hostsBroker, runsSubscriber));
        if (hostsBroker)
        {
            services.TryAddSingleton<EmbeddedMqttBroker>();
            services.AddHostedService(provider => provider.GetRequiredService<EmbeddedMqttBroker>());
            services.AddSingleton<IDeviceRevocationListener>(provider => provider.GetRequiredService<EmbeddedMqttBroker>());
        }

        if (runsSubscriber)
        {
            services.AddHostedService<LiveTelemetrySubscriber>();
        }

        services.AddHealthChecks().AddCheck<MqttHealthCheck>(MqttHealthCheck.Name, tags: ["ready"]);
        return builder;
    }
}

/// <summary>What this process runs of the live ingest, so the health check judges only that.</summary>
public sealed record LiveIngestRole(bool HostsBroker, bool RunsSubscriber);
