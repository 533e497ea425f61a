using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Analytics;

namespace Portal.Core.Devices;

public static class DevicesHostingExtensions
{
    /// <summary>The device registry, device management and the device-profile catalog (scoped, on the catalog), the profile suggester and the in-memory activity tracker.</summary>
    public static IServiceCollection AddDeviceRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeviceActivityTracker>();
        services.TryAddScoped<DeviceRegistry>();
        services.TryAddScoped<DeviceManagement>();
        services.TryAddScoped<DeviceProfileCatalog>();
        services.TryAddSingleton<IRideAnalyzer, RideAnalyzer>();
        services.TryAddSingleton<DeviceProfileSuggester>();
        return services;
    }
}
