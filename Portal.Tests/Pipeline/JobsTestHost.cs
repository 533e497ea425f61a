using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Jobs.Hosting;
using Portal.Jobs.Pipeline;

namespace Portal.Tests.Pipeline;

/// <summary>A jobs host composed as the worker is (AddPortalJobs + AddRidePipeline) on in-memory Hangfire storage.</summary>
internal static class JobsTestHost
{
    /// <param name="configure">Services registered before the jobs' own (which add theirs only when missing).</param>
    /// <param name="settings">Added after the defaults (no Hangfire server), so they override them.</param>
    public static IHost Build(Action<IServiceCollection>? configure, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hangfire:Storage"] = "InMemory",
            ["Hangfire:Server:Enabled"] = "false",
            ["Embedded:DataDir"] = Path.Combine(Path.GetTempPath(), "portal-tests", $"jobs-host-{Guid.NewGuid():N}"),
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        configure?.Invoke(builder.Services);
        builder.AddPortalJobs();
        builder.AddRidePipeline();
        return builder.Build();
    }
}
