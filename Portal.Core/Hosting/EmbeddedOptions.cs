using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Portal.Core.Hosting;

/// <summary>Where the embedded run keeps all its state; an empty directory is a fresh install.</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Embedded";

    /// <summary>
    /// Relative paths are resolved against the host's content root: under <c>dotnet run</c> that is the project
    /// folder, so the shipped "../data" puts the portal and a worker in the same repository-level folder.
    /// </summary>
    public string DataDir { get; set; } = "data";

    /// <summary>The data directory as an absolute path, created on first use.</summary>
    public string EnsureDataDir()
    {
        var full = Path.GetFullPath(DataDir);
        Directory.CreateDirectory(full);
        return full;
    }
}

internal sealed class EmbeddedOptionsValidator : IValidateOptions<EmbeddedOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedOptions options) =>
        string.IsNullOrWhiteSpace(options.DataDir)
            ? ValidateOptionsResult.Fail("Embedded:DataDir must name a directory (an empty directory is a fresh install).")
            : ValidateOptionsResult.Success;
}

public static class EmbeddedOptionsExtensions
{
    /// <summary>Binds Embedded:DataDir once, whichever area asks first.</summary>
    public static IServiceCollection AddEmbeddedOptions(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<EmbeddedOptions>)))
        {
            return services;
        }

        services.AddOptions<EmbeddedOptions>()
            .BindConfiguration(EmbeddedOptions.Section)
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (!string.IsNullOrWhiteSpace(options.DataDir) && !Path.IsPathRooted(options.DataDir))
                {
                    options.DataDir = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.DataDir));
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddedOptions>, EmbeddedOptionsValidator>());
        return services;
    }
}
