using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Core.Live;

namespace Portal.Jobs.Live;

public static class LiveViewHosting
{
    /// <summary>
    /// The live view's feed on a read-only MQTT client (<see cref="MqttLiveTelemetrySource"/>). Call after
    /// <see cref="LiveHostingExtensions.AddLiveDevices"/>, whose <c>Mqtt</c> options and subscriber login it uses.
    /// </summary>
    public static IHostApplicationBuilder AddLiveView(this IHostApplicationBuilder builder)
    {
        builder.Services.AddLiveFeed();
        builder.Services.TryAddSingleton<MqttLiveTelemetrySource>();
        builder.Services.TryAddSingleton<ILiveTelemetrySource>(provider => provider.GetRequiredService<MqttLiveTelemetrySource>());
        return builder;
    }
}
