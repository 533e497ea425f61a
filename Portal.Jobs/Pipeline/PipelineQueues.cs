namespace Portal.Jobs.Pipeline;

/// <summary>The Hangfire queues of the ride pipeline; a server must listen to all of them.</summary>
public static class PipelineQueues
{
    public const string Analytics = "analytics";
    public const string Crash = "crash";
    public const string Maintenance = "maintenance";

    /// <summary>In priority order, for BackgroundJobServerOptions.Queues (with "default" last).</summary>
    public static readonly string[] All = [Crash, Analytics, Maintenance, "default"];
}
