using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Analytics;
using Portal.Core.Hosting;
using Portal.Core.Storage;
using Portal.Jobs.CommandLine;
using Portal.Jobs.Hosting;
using Portal.Jobs.Pipeline;

namespace Portal.Jobs;

/// <summary>
/// With a command (analyze, simulate, upload, …) a command-line tool; without one a worker host
/// that runs the same jobs as the portal against the same storage, so N workers can share one PostgreSQL.
/// </summary>
public static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            return await JobsCommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
        }

        var builder = Host.CreateApplicationBuilder(args);
        // `dotnet run --project Portal.Jobs` runs from the caller's folder, where the worker's appsettings.json
        // may not be: keep EF's per-command logging quiet regardless (Logging:LogLevel can still raise it).
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.AddCatalog();
        builder.AddObjectStorage();
        builder.AddRideAnalytics();
        builder.AddPortalJobs();
        builder.AddRidePipeline();

        using var host = builder.Build();
        // A worker may start before the portal ever did: it brings the catalog's schema up to date itself.
        await host.Services.MigrateCatalogAsync(CancellationToken.None);
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WorkerProgram))
            .LogInformation("Ride Portal worker started (no UI); processing jobs until stopped.");
        await host.RunAsync();
        return 0;
    }
}
