using Microsoft.Extensions.Hosting;

namespace Portal.Jobs.Pipeline;

public static class PipelineHostingExtensions
{
    /// <summary>The ride pipeline's jobs (analysis, crash handling, retention) and the services they use.</summary>
    public static IHostApplicationBuilder AddRidePipeline(this IHostApplicationBuilder builder)
    {
        // TODO(pipeline)
        return builder;
    }
}
