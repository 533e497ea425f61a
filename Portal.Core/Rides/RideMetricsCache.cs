using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Portal.Core.Analytics;

namespace Portal.Core.Rides;

/// <summary>One analysis of one ride: its metrics never change, a re-analysis gets a new version or time.</summary>
public readonly record struct RideAnalysisKey(Guid RideId, int? Version, DateTimeOffset? AnalyzedAt);

/// <summary>
/// The parsed metrics of recently read rides, so retrieving or listing a ride does not parse its
/// stored metrics JSON again. Keyed by analysis (<see cref="RideAnalysisKey"/>), so a re-analysis is
/// never answered from an older entry; bounded by the JSON's size, least recently used evicted first.
/// </summary>
public sealed class RideMetricsCache : IDisposable
{
    /// <summary>About 20 000 rides' metrics; the cache never holds more.</summary>
    public const long SizeLimitBytes = 32L << 20;

    private static readonly TimeSpan SlidingExpiration = TimeSpan.FromMinutes(30);
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = SizeLimitBytes, CompactionPercentage = 0.2 });

    /// <summary>The metrics of that analysis: cached, or parsed from <paramref name="metricsJson"/> and cached.</summary>
    public RideMetrics GetOrParse(RideAnalysisKey key, string metricsJson)
    {
        if (cache.TryGetValue(key, out RideMetrics? cached) && cached is not null)
        {
            return cached;
        }

        var metrics = JsonSerializer.Deserialize<RideMetrics>(metricsJson)
            ?? throw new JsonException($"The stored metrics of ride {key.RideId} are empty.");
        cache.Set(key, metrics, new MemoryCacheEntryOptions { Size = Math.Max(256, metricsJson.Length * 2), SlidingExpiration = SlidingExpiration });
        return metrics;
    }

    public void Dispose() => cache.Dispose();
}
