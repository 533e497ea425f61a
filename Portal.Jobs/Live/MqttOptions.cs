using Microsoft.Extensions.Options;

namespace Portal.Jobs.Live;

public enum MqttBrokerMode
{
    /// <summary>The portal runs an MQTTnet broker in-process and authenticates devices against the registry.</summary>
    Embedded,

    /// <summary>Devices connect to a broker run elsewhere (Mosquitto, EMQX, a cloud broker); only the subscriber runs here.</summary>
    External,
}

/// <summary>The <c>Mqtt</c> configuration section; key names are public (docs/live-devices.md).</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    public MqttBrokerMode Broker { get; set; } = MqttBrokerMode.Embedded;

    /// <summary>Topics are <c>{TopicPrefix}/{deviceId}/telemetry</c> and <c>{TopicPrefix}/{deviceId}/session</c>.</summary>
    public string TopicPrefix { get; set; } = "rides";

    public EmbeddedBrokerOptions Embedded { get; set; } = new();
    public ExternalBrokerOptions External { get; set; } = new();
    public SubscriberOptions Subscriber { get; set; } = new();
}

public sealed class EmbeddedBrokerOptions
{
    /// <summary>
    /// Interface both listeners bind to. Loopback by default, so a fresh install does not take plain-text MQTT from the
    /// network; "0.0.0.0" / "::" (all interfaces) or one address opens it (prefer TLS then).
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Plain TCP port; 0 disables the plain listener (TLS only).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>TLS port; used only when <see cref="CertificatePath"/> is set (8883 by convention).</summary>
    public int TlsPort { get; set; } = 8883;

    /// <summary>PKCS#12 (.pfx) file with the server certificate and its private key; empty disables TLS.</summary>
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Largest accepted PUBLISH payload; bigger ones are refused (QuotaExceeded) and counted. A packet whose fixed header
    /// announces more than this plus <see cref="PacketOverheadBytes"/> closes the connection before its body is read.
    /// </summary>
    public int MaxPacketBytes { get; set; } = 256 * 1024;

    /// <summary>Room for the topic and properties above <see cref="MaxPacketBytes"/> in one packet.</summary>
    public const int PacketOverheadBytes = 64 * 1024;

    /// <summary>Largest packet accepted before the CONNECT is complete (the CONNECT itself); more closes the connection.</summary>
    public int MaxConnectPacketBytes { get; set; } = 16 * 1024;

    /// <summary>A connection that has not sent a complete CONNECT (and finished TLS) within this time is closed.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>Open connections at once (as Mosquitto's <c>max_connections</c>); further ones are closed on accept.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>CONNECT attempts one device id may make per minute (as EMQX's flapping detection); more are refused.</summary>
    public int MaxConnectsPerDevicePerMinute { get; set; } = 30;

    /// <summary>Sustained PUBLISH rate of one device (token bucket, as EMQX's <c>messages_rate</c>); above it QuotaExceeded.</summary>
    public int MaxMessagesPerSecondPerDevice { get; set; } = 200;

    /// <summary>Messages a device may send at once above the sustained rate (the bucket's size).</summary>
    public int MessageBurstPerDevice { get; set; } = 2000;

    /// <summary>Messages queued for one client (the subscriber, while it is away) before the oldest are dropped.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 100_000;
}

public sealed class ExternalBrokerOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 1883;
    public bool UseTls { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>Overrides <c>Mqtt:Subscriber:ClientId</c> for the external broker when set.</summary>
    public string? ClientId { get; set; }
}

public sealed class SubscriberOptions
{
    public bool Enabled { get; set; } = true;
    public string ClientId { get; set; } = "ride-portal-subscriber";

    /// <summary>
    /// When set the subscriber uses <c>$share/{SharedGroup}/...</c>. Only for brokers that keep one publisher on one
    /// member (EMQX sticky / hash_clientid); Mosquitto deals shared messages one by one: use the partitions there.
    /// </summary>
    public string? SharedGroup { get; set; }

    /// <summary>
    /// N subscriber instances split the devices by a stable hash of the device id: each subscribes to every message
    /// and spools only its partition's devices (the rest it acknowledges and drops), so a session never splits.
    /// </summary>
    public int PartitionCount { get; set; } = 1;

    /// <summary>This instance's partition, 0 … PartitionCount − 1.</summary>
    public int PartitionIndex { get; set; }

    /// <summary>Whether this instance's partition holds the device (FNV-1a of the id, so every instance agrees).</summary>
    public bool OwnsDevice(string deviceId)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        if (PartitionCount <= 1)
        {
            return true;
        }

        var hash = 2166136261u;
        foreach (var character in deviceId)
        {
            hash = (hash ^ character) * 16777619u;
        }

        return hash % (uint)PartitionCount == (uint)PartitionIndex;
    }

    /// <summary>How long the broker keeps the subscriber's session (and queues QoS 1 messages) while it is away.</summary>
    public uint SessionExpirySeconds { get; set; } = 3600;

    /// <summary>Session spools; empty means <c>{Embedded:DataDir}/spool</c>.</summary>
    public string? SpoolDir { get; set; }

    /// <summary>A session without telemetry for this long ends and becomes a ride.</summary>
    public int IdleTimeoutSeconds { get; set; } = 60;

    /// <summary>Largest accepted payload; checked here as well, since an external broker may allow more.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;
}

internal sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Broker))
        {
            failures.Add("Mqtt:Broker must be Embedded or External.");
        }

        if (string.IsNullOrWhiteSpace(options.TopicPrefix) || options.TopicPrefix.IndexOfAny(['+', '#']) >= 0
            || options.TopicPrefix.StartsWith('/') || options.TopicPrefix.EndsWith('/') || options.TopicPrefix.StartsWith('$'))
        {
            failures.Add("Mqtt:TopicPrefix must be a topic without wildcards, '$' or leading/trailing '/' (e.g. \"rides\").");
        }

        if (options.Broker == MqttBrokerMode.Embedded)
        {
            var embedded = options.Embedded;
            if (embedded.Port is < 0 or > 65535)
            {
                failures.Add("Mqtt:Embedded:Port must be between 0 (no plain listener) and 65535.");
            }

            if (!string.IsNullOrWhiteSpace(embedded.CertificatePath))
            {
                if (embedded.TlsPort is < 1 or > 65535)
                {
                    failures.Add("Mqtt:Embedded:TlsPort must be between 1 and 65535 when Mqtt:Embedded:CertificatePath is set.");
                }

                if (!File.Exists(embedded.CertificatePath))
                {
                    failures.Add($"Mqtt:Embedded:CertificatePath points to a file that does not exist: {embedded.CertificatePath}.");
                }
            }
            else if (embedded.Port == 0)
            {
                failures.Add("Mqtt:Embedded:Port is 0 and Mqtt:Embedded:CertificatePath is empty: the embedded broker would have no listener.");
            }

            if (embedded.MaxPacketBytes is < 1024 or > 256 * 1024 * 1024)
            {
                failures.Add("Mqtt:Embedded:MaxPacketBytes must be between 1024 and 268435456.");
            }

            if (!System.Net.IPAddress.TryParse(embedded.BindAddress, out _))
            {
                failures.Add($"Mqtt:Embedded:BindAddress must be an IP address (127.0.0.1, 0.0.0.0, ::), not \"{embedded.BindAddress}\".");
            }

            if (embedded.MaxConnectPacketBytes is < 128 or > 1024 * 1024)
            {
                failures.Add("Mqtt:Embedded:MaxConnectPacketBytes must be between 128 and 1048576.");
            }

            if (embedded.ConnectTimeoutSeconds is < 1 or > 300)
            {
                failures.Add("Mqtt:Embedded:ConnectTimeoutSeconds must be between 1 and 300.");
            }

            if (embedded.MaxConnections < 1)
            {
                failures.Add("Mqtt:Embedded:MaxConnections must be at least 1.");
            }

            if (embedded.MaxConnectsPerDevicePerMinute < 1)
            {
                failures.Add("Mqtt:Embedded:MaxConnectsPerDevicePerMinute must be at least 1.");
            }

            if (embedded.MaxMessagesPerSecondPerDevice < 1)
            {
                failures.Add("Mqtt:Embedded:MaxMessagesPerSecondPerDevice must be at least 1.");
            }

            if (embedded.MessageBurstPerDevice < 1)
            {
                failures.Add("Mqtt:Embedded:MessageBurstPerDevice must be at least 1.");
            }

            if (embedded.MaxPendingMessagesPerClient < 1)
            {
                failures.Add("Mqtt:Embedded:MaxPendingMessagesPerClient must be at least 1.");
            }
        }
        else
        {
            var external = options.External;
            if (string.IsNullOrWhiteSpace(external.Host))
            {
                failures.Add("Mqtt:External:Host is required when Mqtt:Broker is External.");
            }

            if (external.Port is < 1 or > 65535)
            {
                failures.Add("Mqtt:External:Port must be between 1 and 65535.");
            }

            if (string.IsNullOrEmpty(external.Username) != string.IsNullOrEmpty(external.Password))
            {
                failures.Add("Mqtt:External:Username and Mqtt:External:Password must be set together.");
            }
        }

        var subscriber = options.Subscriber;
        if (subscriber.Enabled)
        {
            if (string.IsNullOrWhiteSpace(subscriber.ClientId))
            {
                failures.Add("Mqtt:Subscriber:ClientId is required when Mqtt:Subscriber:Enabled is true.");
            }

            if (subscriber.SharedGroup is { } group && (group.Length == 0 || group.IndexOfAny(['/', '+', '#']) >= 0))
            {
                failures.Add("Mqtt:Subscriber:SharedGroup must be a name without '/', '+' or '#'.");
            }

            if (subscriber.PartitionCount < 1)
            {
                failures.Add("Mqtt:Subscriber:PartitionCount must be at least 1.");
            }
            else if (subscriber.PartitionIndex < 0 || subscriber.PartitionIndex >= subscriber.PartitionCount)
            {
                failures.Add($"Mqtt:Subscriber:PartitionIndex must be between 0 and Mqtt:Subscriber:PartitionCount − 1 ({subscriber.PartitionCount - 1}).");
            }

            if (subscriber.PartitionCount > 1 && !string.IsNullOrEmpty(subscriber.SharedGroup))
            {
                failures.Add("Mqtt:Subscriber:SharedGroup must be empty when Mqtt:Subscriber:PartitionCount is above 1: every partition must see every message.");
            }

            if (subscriber.IdleTimeoutSeconds < 1)
            {
                failures.Add("Mqtt:Subscriber:IdleTimeoutSeconds must be at least 1.");
            }

            if (subscriber.MaxPayloadBytes < 1024)
            {
                failures.Add("Mqtt:Subscriber:MaxPayloadBytes must be at least 1024.");
            }

            if (subscriber.SessionExpirySeconds < 1)
            {
                failures.Add("Mqtt:Subscriber:SessionExpirySeconds must be at least 1, or QoS 1 messages sent while the subscriber is away are lost.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
