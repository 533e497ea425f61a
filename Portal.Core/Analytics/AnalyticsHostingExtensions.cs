using Microsoft.Extensions.Hosting;

namespace Portal.Core.Analytics;

public static class AnalyticsHostingExtensions
{
    /// <summary>Registers <see cref="IRideAnalyzer"/>.</summary>
    public static IHostApplicationBuilder AddRideAnalytics(this IHostApplicationBuilder builder)
    {
        // TODO(analytics)
        return builder;
    }
}
