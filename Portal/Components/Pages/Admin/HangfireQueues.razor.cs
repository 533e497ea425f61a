using Hangfire;
using Microsoft.AspNetCore.Components;
using Portal.Jobs.Pipeline;

namespace Portal.Components.Pages.Admin;

public sealed record QueueLength(string Name, long Waiting, long? Fetched);

/// <summary>Per-queue lengths from Hangfire's monitoring API, for the health page: the pipeline's queues always, others when used.</summary>
public sealed partial class HangfireQueues
{
    private IReadOnlyList<QueueLength>? queues;
    private long processing;
    private long failed;
    private string? error;

    [Inject]
    private JobStorage Storage { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            (queues, processing, failed) = await Task.Run(Read);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            error = $"The Hangfire storage cannot be queried: {failure.Message}";
        }
    }

    private (IReadOnlyList<QueueLength>, long, long) Read()
    {
        var monitoring = Storage.GetMonitoringApi();
        var reported = monitoring.Queues().ToDictionary(q => q.Name, q => new QueueLength(q.Name, q.Length, q.Fetched), StringComparer.Ordinal);
        foreach (var name in PipelineQueues.All.Where(name => !reported.ContainsKey(name)))
        {
            reported[name] = new QueueLength(name, monitoring.EnqueuedCount(name), null);
        }

        var statistics = monitoring.GetStatistics();
        var ordered = reported.Values
            .OrderBy(q => Array.IndexOf(PipelineQueues.All, q.Name) is var index && index >= 0 ? index : int.MaxValue)
            .ThenBy(q => q.Name, StringComparer.Ordinal)
            .ToList();
        return (ordered, statistics.Processing, statistics.Failed);
    }
}
