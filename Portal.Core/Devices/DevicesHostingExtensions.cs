using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Core.Devices;

public static class DevicesHostingExtensions
{
    /// <summary>The device registry, device management and the device-profile catalog (scoped, on the catalog) and the in-memory activity tracker.</summary>
    public static IServiceCollection AddDeviceRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeviceActivityTracker>();
        services.TryAddScoped<DeviceRegistry>();
        services.TryAddScoped<DeviceManagement>();
        services.TryAddScoped<DeviceProfileCatalog>();
        return services;
    }
}
