using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Portal.Core.Analytics;

public static class AnalyticsHostingExtensions
{
    /// <summary>Registers <see cref="IRideAnalyzer"/> (stateless: one sink per analysed ride).</summary>
    public static IHostApplicationBuilder AddRideAnalytics(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IRideAnalyzer, RideAnalyzer>();
        return builder;
    }
}
