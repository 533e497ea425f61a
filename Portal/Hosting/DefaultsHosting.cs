using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Portal.Core.Hosting;
using Portal.Identity;

namespace Portal.Hosting;

/// <summary>Embedded defaults: the data directory, the keys that protect cookies and tokens, the printed URL, Demo:*.</summary>
public static class DefaultsHosting
{
    public static IHostApplicationBuilder AddPortalDefaults(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddEmbeddedOptions();

        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DemoOptions>, DemoOptionsValidator>();
        services.AddScoped<DemoAccounts>();

        // Cookies and bearer tokens stay valid across restarts: the key ring lives in the data directory, or in the
        // identity database when several portal instances must read each other's cookies and antiforgery tokens.
        services.AddDataProtection().SetApplicationName("RidePortal");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<EmbeddedOptions>, IOptions<SecurityOptions>, ILoggerFactory, IServiceProvider>((keys, embedded, security, loggers, provider) =>
                keys.XmlRepository = security.Value.DataProtectionKeys == SecurityOptions.DatabaseKeys
                    ? new EntityFrameworkCoreXmlRepository<Data.PortalIdentityDbContext>(provider, loggers)
                    : new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(embedded.Value.EnsureDataDir(), "keys")), loggers));

        services.AddHostedService<ListeningUrlReporter>();
        // Nothing to gain from telling every client which server this is.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }
}

/// <summary>Prints "Ride Portal listening on http://..." once Kestrel has bound its addresses.</summary>
internal sealed class ListeningUrlReporter(IServer server, IHostApplicationLifetime lifetime, IOptions<EmbeddedOptions> embedded, ILogger<ListeningUrlReporter> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                logger.LogInformation("Ride Portal listening on {Url}", address);
            }

            logger.LogInformation("Data directory: {DataDir}", Path.GetFullPath(embedded.Value.DataDir));
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
