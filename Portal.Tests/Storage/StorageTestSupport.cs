using System.Diagnostics.Tracing;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Storage;
using Portal.Core.Storage.FileSystem;

namespace Portal.Tests.Storage;

/// <summary>
/// The contract classes measure process-wide memory during the large-object test, so they run alone:
/// after the parallel collections, one class at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StorageContractCollection
{
    public const string Name = "Object storage contract";
}

internal static class StorageTestSupport
{
    /// <summary>Options with bucket names unique to one test class, so classes never see each other's objects.</summary>
    public static StorageOptions UniqueBuckets(StorageProvider provider)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        return new StorageOptions
        {
            Provider = provider,
            Buckets = new BucketNames { Raw = $"t{id}-raw", Analytics = $"t{id}-analytics", Crash = $"t{id}-crash" },
        };
    }

    public static StorageKeyRing NewKeyRing(params string[] keyIds) =>
        new(keyIds.Select(id => KeyValuePair.Create(id, RandomNumberGenerator.GetBytes(32))), keyIds[^1]);

    public static FileSystemObjectStorage FileSystemStorage(StorageOptions options, StorageKeyRing keyRing, TimeProvider? timeProvider = null) =>
        new(Options.Create(options), keyRing, timeProvider ?? TimeProvider.System, NullLogger<FileSystemObjectStorage>.Instance);

    public static MemoryStream Text(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}

/// <summary>
/// A non-seekable stream of <paramref name="length"/> pseudo-random bytes generated on the fly from a seed,
/// hashing what it produced; calls <paramref name="onProgress"/> each time another <paramref name="every"/> bytes went out.
/// </summary>
internal sealed class SeededStream(ulong seed, long length, long every = long.MaxValue, Action? onProgress = null) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    private long produced;
    private readonly long progressEvery = every;
    private long nextProgress = every;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public long Produced => produced;

    /// <summary>SHA-256 of every byte produced so far.</summary>
    public byte[] Hash() => hash.GetCurrentHash();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - produced);
        var target = buffer[..count];
        for (var i = 0; i < target.Length; i++)
        {
            // xorshift64*: fast and deterministic; one output byte per step keeps the stream position-independent.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            target[i] = (byte)((state * 0x2545F4914F6CDD1DUL) >> 56);
        }

        hash.AppendData(target);
        produced += count;
        if (produced >= nextProgress)
        {
            nextProgress += progressEvery;
            onProgress?.Invoke();
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// Measures the live managed heap (after a full, blocking collection) at chosen points, relative to a baseline:
/// a provider that held a whole object would show it here, whatever the garbage collector's timing.
/// </summary>
internal sealed class LiveHeapProbe
{
    private readonly long baseline = GC.GetTotalMemory(forceFullCollection: true);

    public long PeakGrowth { get; private set; }

    public int Samples { get; private set; }

    public void Sample()
    {
        PeakGrowth = Math.Max(PeakGrowth, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        Samples++;
    }
}

/// <summary>A source that fails after <paramref name="failAfter"/> bytes, like a client that disconnects mid-upload.</summary>
internal sealed class FailingStream(long failAfter) : Stream
{
    private long produced;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (produced >= failAfter)
        {
            throw new IOException("The client went away.");
        }

        var n = (int)Math.Min(count, failAfter - produced);
        buffer.AsSpan(offset, n).Fill((byte)'x');
        produced += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Counts what the process allocates between <see cref="Start"/> and <see cref="StopAsync"/> from the runtime's
/// GCAllocationTick events (one about every 100 KB, each carrying the bytes allocated since the previous one), and
/// which types took most of it. The GC's allocated-bytes counter is only reported beside it: in CI it jumped by
/// ~3 GiB while a 105 MiB object moved and the live heap stayed flat, in both its precise and imprecise forms.
/// </summary>
internal sealed class AllocationMeter : EventListener
{
    private const long GcKeyword = 0x1;

    // The system clock on purpose: the runtime stamps its events with it.
    private static readonly TimeProvider Clock = TimeProvider.System;
    private readonly Lock gate = new();
    private readonly Dictionary<string, long> byType = new(StringComparer.Ordinal);
    private DateTime windowStart = DateTime.MaxValue;
    private DateTime windowEnd = DateTime.MaxValue;
    private DateTime lastEvent = DateTime.MinValue;
    private long counterAtStart;
    private long counterBytes;
    private int gcCount;
    private bool enabled;

    /// <summary>What the events counted in the last window.</summary>
    public long Bytes { get; private set; }

    public void Start()
    {
        lock (gate)
        {
            byType.Clear();
            Bytes = 0;
            gcCount = -GC.CollectionCount(0);
            counterAtStart = GC.GetTotalAllocatedBytes(precise: false);
            windowStart = Clock.GetUtcNow().UtcDateTime;
            windowEnd = DateTime.MaxValue;
        }
    }

    /// <summary>Closes the window, then waits until the listener has been handed an event from after it.</summary>
    public async Task StopAsync()
    {
        lock (gate)
        {
            windowEnd = Clock.GetUtcNow().UtcDateTime;
            counterBytes = GC.GetTotalAllocatedBytes(precise: false) - counterAtStart;
            gcCount += GC.CollectionCount(0);
        }

        var deadline = Clock.GetUtcNow().AddSeconds(10);
        while (Clock.GetUtcNow() < deadline)
        {
            // Allocation after the window produces a tick stamped after it; the events arrive a little later.
            GC.KeepAlive(new byte[256 * 1024]);
            lock (gate)
            {
                if (lastEvent > windowEnd)
                {
                    return;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No GC allocation event after the window arrived within 10 s (enabled: {enabled}).");
    }

    /// <summary>The last window: the events' total, the gen0 collections, the GC counter's figure and the top types.</summary>
    public string Report()
    {
        lock (gate)
        {
            var top = string.Join(", ", byType.OrderByDescending(pair => pair.Value).Take(3)
                .Select(pair => FormattableString.Invariant($"{pair.Key} {pair.Value / 1048576.0:F1} MiB")));
            return FormattableString.Invariant(
                $"{Bytes / 1048576.0:F1} MiB over {gcCount} gen0 collections (GC counter {counterBytes / 1048576.0:F1} MiB; most: {top})");
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)GcKeyword);
            enabled = true;
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var amount = Convert.ToInt64(Payload(eventData, "AllocationAmount64") ?? Payload(eventData, "AllocationAmount"), CultureInfo.InvariantCulture);
        var type = Payload(eventData, "TypeName") as string ?? "?";
        var stamp = eventData.TimeStamp.ToUniversalTime();
        lock (gate)
        {
            lastEvent = stamp > lastEvent ? stamp : lastEvent;
            if (stamp >= windowStart && stamp <= windowEnd)
            {
                Bytes += amount;
                byType[type] = byType.GetValueOrDefault(type) + amount;
            }
        }
    }

    private static object? Payload(EventWrittenEventArgs eventData, string name)
    {
        var index = eventData.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? eventData.Payload![index] : null;
    }
}
