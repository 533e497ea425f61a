using MQTTnet;

namespace Portal.Jobs.Live;

/// <summary>Where and as whom this process's own MQTT clients (the subscriber, the live view) connect.</summary>
public static class MqttBrokerConnection
{
    /// <summary>
    /// The configured external broker with its login, or the embedded broker on loopback with the subscriber's
    /// generated login (over TLS when the embedded broker only has its TLS listener).
    /// </summary>
    public static MqttClientOptionsBuilder WithPortalBroker(this MqttClientOptionsBuilder builder, MqttOptions mqtt, SubscriberCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(credentials);
        if (mqtt.Broker == MqttBrokerMode.External)
        {
            var external = mqtt.External;
            builder = builder.WithTcpServer(external.Host, external.Port);
            if (!string.IsNullOrEmpty(external.Username))
            {
                builder = builder.WithCredentials(external.Username, external.Password);
            }

            return external.UseTls ? builder.WithTlsOptions(tls => tls.UseTls()) : builder;
        }

        var embedded = mqtt.Embedded;
        builder = builder.WithCredentials(credentials.Username, credentials.Secret);

        // The broker is this process's own listener: reach it on loopback unless it is bound to one address only.
        var host = System.Net.IPAddress.TryParse(embedded.BindAddress, out var bound)
            && !bound.Equals(System.Net.IPAddress.Any) && !bound.Equals(System.Net.IPAddress.IPv6Any)
            ? bound.ToString()
            : "127.0.0.1";
        return embedded.Port > 0
            ? builder.WithTcpServer(host, embedded.Port)
            : builder.WithTcpServer(host, embedded.TlsPort).WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(_ => true));
    }
}
