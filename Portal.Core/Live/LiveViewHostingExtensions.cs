using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Core.Live;

public static class LiveViewHostingExtensions
{
    /// <summary>The live view's feed and its <c>LiveView</c> options; the host adds an <see cref="ILiveTelemetrySource"/>.</summary>
    public static IServiceCollection AddLiveFeed(this IServiceCollection services)
    {
        services.AddOptions<LiveViewOptions>().BindConfiguration(LiveViewOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiveViewOptions>, LiveViewOptionsValidator>());
        services.TryAddSingleton<LiveFeed>();
        return services;
    }
}
