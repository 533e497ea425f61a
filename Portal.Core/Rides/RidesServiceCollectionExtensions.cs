using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Core.Rides;

public static class RidesServiceCollectionExtensions
{
    /// <summary>
    /// Intake, upload sessions, notifications and their options' validators (the host binds the
    /// sections: see Portal.Jobs' AddRidePipeline). Needs the catalog
    /// DbContext, <see cref="Storage.IObjectStorage"/> and an <see cref="IRideJobScheduler"/> from elsewhere.
    /// </summary>
    public static IServiceCollection AddRideIntake(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<IDeviceProfileResolver, Devices.CatalogDeviceProfileResolver>();
        services.TryAddScoped<RideIntake>();
        services.TryAddScoped<RideEditing>();
        services.TryAddSingleton<RideMetricsCache>();
        services.TryAddScoped<UploadSessions>();
        services.TryAddScoped<Devices.ILiveRideSink, LiveRideIntakeSink>();
        services.TryAddSingleton<Storage.StorageFullMonitor>();
        services.TryAddScoped<INotificationSink, CatalogNotificationSink>();
        services.TryAddScoped<NotificationFeed>();
        return services;
    }
}
