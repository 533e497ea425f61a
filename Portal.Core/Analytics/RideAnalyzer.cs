using Portal.Core.Analytics.Metrics;
using Portal.Core.Analytics.Reading;

namespace Portal.Core.Analytics;

/// <summary>
/// Reads a ride file once, front to back, straight into the metrics sink: no intermediate copy
/// of the samples, so memory stays constant whatever the file size.
/// </summary>
public sealed class RideAnalyzer(RideReaderOptions? readerOptions = null) : IRideAnalyzer
{
    private readonly RideFileReader _reader = new(readerOptions);

    public async Task<RideAnalysis> AnalyzeAsync(Stream rideFile, DeviceProfile? profile, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rideFile);
        var sink = new RideMetricsSink(profile?.Mount);
        var summary = await _reader.ReadAsync(rideFile, profile, sink, progress, cancellationToken);
        var analysis = sink.Complete(summary) with { StartTime = summary.StartTime };
        return analysis.Metrics is { Quality: { } quality } metrics && summary.Facts is { } facts
            ? analysis with { Metrics = metrics with { Quality = quality with { Reading = facts.ToQualityEntries() } } }
            : analysis;
    }
}
