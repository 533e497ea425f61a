using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Foundation;

/// <summary>Configuration keys that decide how the portal host is composed.</summary>
[Trait("Category", "Foundation")]
public sealed class HostCompositionTests
{
    private static int HangfireServers(PortalFactory factory) =>
        factory.Services.GetServices<IHostedService>().Count(s => s is BackgroundJobServerHostedService);

    [Fact]
    public async Task HangfireServer_RunsInThePortal_ByDefault()
    {
        await using var factory = new PortalFactory();
        using var client = factory.CreateClient();

        Assert.Equal(1, HangfireServers(factory));
    }

    [Fact]
    public async Task HangfireServerEnabledFalse_LeavesJobsToWorkers()
    {
        await using var factory = new PortalFactory().WithSetting("Hangfire:Server:Enabled", "false");
        using var client = factory.CreateClient();

        Assert.Equal(0, HangfireServers(factory));
        // Enqueueing still works: a worker host (Portal.Jobs) picks the job up.
        Assert.NotNull(factory.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => Console.WriteLine("queued for a worker")));
    }
}
