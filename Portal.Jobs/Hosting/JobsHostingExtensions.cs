using Microsoft.Extensions.Hosting;

namespace Portal.Jobs.Hosting;

public static class JobsHostingExtensions
{
    /// <summary>Hangfire storage (SQLite | PostgreSql) and, when Hangfire:Server:Enabled, a server with its queues.</summary>
    public static IHostApplicationBuilder AddPortalJobs(this IHostApplicationBuilder builder)
    {
        // TODO(foundation)
        return builder;
    }
}
