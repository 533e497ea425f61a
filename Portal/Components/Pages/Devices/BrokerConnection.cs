using System.Globalization;
using Portal.Jobs.Live;

namespace Portal.Components.Pages.Devices;

/// <summary>Where a suit connects: the broker's host, ports and TLS, and a <c>mosquitto_pub</c> line to try it with.</summary>
public sealed record BrokerConnection(string Host, int? PlainPort, int? TlsPort, string Tls, string TopicPrefix)
{
    public const string DevicePlaceholder = "DEVICE_ID";

    /// <summary>
    /// The embedded broker listens on this portal's host (<paramref name="portalHost"/>, as the browser reached it);
    /// an external broker is wherever its options say.
    /// </summary>
    public static BrokerConnection From(MqttOptions options, string portalHost)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Broker == MqttBrokerMode.External)
        {
            var host = string.IsNullOrWhiteSpace(options.External.Host) ? portalHost : options.External.Host;
            return options.External.UseTls
                ? new BrokerConnection(host, null, options.External.Port, "TLS required (MQTT over TLS)", options.TopicPrefix)
                : new BrokerConnection(host, options.External.Port, null, "no TLS", options.TopicPrefix);
        }

        var tls = !string.IsNullOrWhiteSpace(options.Embedded.CertificatePath);
        return new BrokerConnection(portalHost, options.Embedded.Port, tls ? options.Embedded.TlsPort : null,
            tls ? "TLS on the TLS port; the plain port is for the local network only" : "no TLS (no certificate configured)", options.TopicPrefix);
    }

    public string Topic(string deviceId) => $"{TopicPrefix}/{deviceId}/telemetry";

    /// <summary>One telemetry batch published as the device, with its secret in an environment variable rather than on the line.</summary>
    public string MosquittoPubExample(string deviceId = DevicePlaceholder)
    {
        var port = TlsPort ?? PlainPort ?? 1883;
        var tlsFlag = TlsPort is not null ? " --tls-use-os-certs" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"mosquitto_pub -h {Host} -p {port}{tlsFlag} -i {deviceId} -u {deviceId} -P \"$SECRET\" -q 1 \\\n  -t {Topic(deviceId)} \\\n  -m '[{{\"timestamp\":\"2026-05-03T09:15:02.130Z\",\"ax\":0.1,\"ay\":0,\"az\":9.81,\"gx\":0,\"gy\":0,\"gz\":1.5,\"speed\":42,\"seq\":1}}]'");
    }
}
