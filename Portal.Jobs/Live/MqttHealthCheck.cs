using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Portal.Jobs.Live;

/// <summary>
/// "mqtt" (tag ready): unhealthy while the embedded broker is down or the subscriber is not connected; its data
/// carries the connection and message counters for /health and the admin page.
/// </summary>
public sealed class MqttHealthCheck(IOptions<MqttOptions> options, LiveIngestRole role, LiveIngestMetrics metrics) : IHealthCheck
{
    public const string Name = "mqtt";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var mqtt = options.Value;
        var data = new Dictionary<string, object>
        {
            ["broker"] = mqtt.Broker.ToString(),
            ["broker_running"] = metrics.BrokerRunning,
            ["subscriber_connected"] = metrics.SubscriberConnected,
            ["clients_connected"] = metrics.ClientsConnected,
            ["connections_accepted"] = metrics.ConnectionsAccepted,
            ["messages_spooled"] = metrics.MessagesSpooled,
            ["samples_spooled"] = metrics.SamplesSpooled,
            ["messages_other_partitions"] = metrics.MessagesOfOtherPartitions,
            ["messages_redelivered_after_end"] = metrics.RedeliveriesOfEndedSessions,
            ["sessions_submitted"] = metrics.SessionsSubmitted,
            ["session_submit_failures"] = metrics.SessionSubmitFailures,
        };
        foreach (var (reason, count) in metrics.ConnectionsRejected)
        {
            data["connections_rejected." + reason] = count;
        }

        foreach (var (reason, count) in metrics.MessagesRejected)
        {
            data["messages_rejected." + reason] = count;
        }

        string? problem = null;
        if (role.HostsBroker && !metrics.BrokerRunning)
        {
            problem = "The embedded MQTT broker is not running.";
        }
        else if (role.RunsSubscriber && !metrics.SubscriberConnected)
        {
            problem = "The live subscriber is not connected to the MQTT broker.";
        }

        return Task.FromResult(problem is null
            ? HealthCheckResult.Healthy("MQTT ingest is running.", data)
            : HealthCheckResult.Unhealthy(problem, data: data));
    }
}
