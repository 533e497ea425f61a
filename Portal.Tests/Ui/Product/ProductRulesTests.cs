using MudBlazor;
using Portal.Components.Pages.Devices;
using Portal.Components.Shared.Notifications;
using Portal.Components.Shared.Time;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Jobs.Live;

namespace Portal.Tests.Ui.Product;

/// <summary>Ride titles and the gazetteer, the browser's time zone, the broker's address and the toasts' severity.</summary>
[Trait("Category", "Ui")]
public sealed class ProductRulesTests
{
    [Theory]
    [InlineData(43.9975, 11.3719, "Mugello")]
    [InlineData(44.3439, 11.7167, "Imola")]
    [InlineData(44.3084, 11.1650, "Vergato")]
    [InlineData(44.4949, 11.3426, "Bologna")]
    public void Gazetteer_NamesTheNearestPlaceCoveringTheFix(double latitude, double longitude, string expected) =>
        Assert.Equal(expected, Gazetteer.Nearest(latitude, longitude)?.Name);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-33.9, 151.2)]
    [InlineData(double.NaN, 11)]
    [InlineData(91, 11)]
    public void Gazetteer_NamesNothingFarFromEveryPlaceOrForAnInvalidFix(double latitude, double longitude) =>
        Assert.Null(Gazetteer.Nearest(latitude, longitude));

    [Fact]
    public void ACircuit_WinsOverTheTownItLiesIn()
    {
        // Misano's circuit lies within Rimini's radius.
        Assert.Equal("Misano", Gazetteer.Nearest(43.9617, 12.6833)?.Name);
    }

    [Theory]
    [InlineData(null, "Mugello", "Mugello, Sat 2 May afternoon")]
    [InlineData("  ", null, "Sat 2 May 2026, 14:30")]
    [InlineData("My title", "Mugello", "My title")]
    public void TheTitleShown_IsTheRidersOwn_ElsePlaceAndPartOfDay_ElseDateAndTime(string? title, string? place, string expected) =>
        Assert.Equal(expected, RideTitles.Display(title, place, new DateTimeOffset(2026, 5, 2, 14, 30, 0, TimeSpan.Zero), TimeZoneInfo.Utc));

    [Fact]
    public void TheDefaultTitle_UsesTheViewersTimeZone()
    {
        var lateEvening = new DateTimeOffset(2026, 5, 2, 22, 30, 0, TimeSpan.Zero);
        Assert.Equal("Mugello, Sat 2 May night", RideTitles.Display(null, "Mugello", lateEvening, TimeZoneInfo.Utc));
        Assert.Equal("Mugello, Sun 3 May morning", RideTitles.Display(null, "Mugello", lateEvening, BrowserTimeZone.Parse("Asia/Tokyo")));
        Assert.Equal("Mugello, Sat 2 May afternoon", RideTitles.Display(null, "Mugello", lateEvening, BrowserTimeZone.Parse("America/Los_Angeles")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Not/AZone")]
    public void AnUnknownBrowserZone_IsUtc(string? id) => Assert.Equal(TimeZoneInfo.Utc, BrowserTimeZone.Parse(id));

    [Fact]
    public void EmbeddedBroker_IsOnThePortalsHost_WithItsPorts_AndTheExampleUsesTheDevicesLogin()
    {
        var options = new MqttOptions();
        options.Embedded.Port = 1884;

        var connection = BrokerConnection.From(options, "portal.example");

        Assert.Equal("portal.example", connection.Host);
        Assert.Equal(1884, connection.PlainPort);
        Assert.Null(connection.TlsPort);
        Assert.Contains("no TLS", connection.Tls, StringComparison.Ordinal);
        var example = connection.MosquittoPubExample("dev-1");
        Assert.StartsWith("mosquitto_pub -h portal.example -p 1884 -i dev-1 -u dev-1 -P \"$SECRET\" -q 1", example, StringComparison.Ordinal);
        Assert.Contains("-t rides/dev-1/telemetry", example, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedBrokerWithACertificate_OffersItsTlsPort_AndTheExampleUsesIt()
    {
        var options = new MqttOptions();
        options.Embedded.CertificatePath = "/etc/portal/broker.pfx";

        var connection = BrokerConnection.From(options, "portal.example");

        Assert.Equal(8883, connection.TlsPort);
        Assert.Contains("-p 8883 --tls-use-os-certs", connection.MosquittoPubExample(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalBroker_IsWhereItsOptionsSay()
    {
        var options = new MqttOptions { Broker = MqttBrokerMode.External };
        options.External.Host = "mqtt.example";
        options.External.Port = 8884;
        options.External.UseTls = true;

        var connection = BrokerConnection.From(options, "portal.example");

        Assert.Equal("mqtt.example", connection.Host);
        Assert.Equal(8884, connection.TlsPort);
        Assert.Null(connection.PlainPort);
    }

    [Fact]
    public void ACrash_IsAnErrorToast_NeverASuccess()
    {
        var analysedWithCrash = new NotificationView(Guid.NewGuid(), NotificationKind.RideAnalyzed, "Ride analysed", "a.csv: 12.0 km, crash detected", Guid.NewGuid(), DateTimeOffset.UnixEpoch, false);
        var crash = analysedWithCrash with { Kind = NotificationKind.CrashDetected, Title = "Crash detected" };
        var plain = analysedWithCrash with { Body = "a.csv: 12.0 km" };

        Assert.Equal(Severity.Error, LiveNotifications.SeverityOf(analysedWithCrash));
        Assert.Equal(Severity.Error, LiveNotifications.SeverityOf(crash));
        Assert.Equal(Severity.Success, LiveNotifications.SeverityOf(plain));
    }
}
