using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using Portal.Jobs.Live;

namespace Portal.Tests.Live;

/// <summary>The embedded broker with only its TLS listener (a generated self-signed certificate in a temp .pfx).</summary>
[Trait("Category", "Live")]
public sealed class EmbeddedBrokerTlsTests
{
    [Fact]
    public async Task TlsOnlyBroker_AcceptsADeviceOverTls_AndItsSessionBecomesARide()
    {
        var directory = LiveTestHost.NewDirectory();
        var certificatePath = Path.Combine(directory, "broker.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pfx, "test-password"));
        }

        var tlsPort = LiveTestPorts.FreeLoopbackPort();
        await using var host = await LiveTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Mqtt:Embedded:Port"] = "0",
            ["Mqtt:Embedded:TlsPort"] = tlsPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Embedded:CertificatePath"] = certificatePath,
            ["Mqtt:Embedded:CertificatePassword"] = "test-password",
        }, directory);
        await host.WaitForSubscriberAsync();
        var device = await host.RegisterDeviceAsync();
        using var client = new MqttClientFactory().CreateMqttClient();

        var connected = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", tlsPort).WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(_ => true))
            .WithClientId(device.Device.Id).WithCredentials(device.Device.Id, device.Secret).Build());
        await client.PublishStringAsync($"rides/{device.Device.Id}/telemetry", """{"timestamp":1777799702130,"ax":1,"ay":1,"az":9.8,"gx":0,"gy":0,"gz":0,"seq":1}""", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishStringAsync($"rides/{device.Device.Id}/session", """{"event":"end"}""", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);

        var ride = await host.Sink.WaitForAsync(device.Device.Id, TimeSpan.FromSeconds(20));
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        Assert.Equal([1L], ride.SeqNumbers);
    }
}
