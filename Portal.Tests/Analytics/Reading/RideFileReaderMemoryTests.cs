using Portal.Core.Analytics.Reading;

namespace Portal.Tests.Analytics.Reading;

[Trait("Category", "Analytics")]
public sealed class RideFileReaderMemoryTests
{
    [Fact]
    public async Task AFileFarLargerThanTheMemoryBudget_IsStreamedWithBoundedReadsAndAllocations()
    {
        const long fileBytes = 400L * 1000 * 1000;   // produced on the fly, never in memory
        const int maxRequestBytes = 1024 * 1024;       // no single read may ask for more
        const long allocationBudget = 16L * 1024 * 1024;
        using var stream = new GeneratedRideStream(fileBytes, maxRequestBytes);
        var sink = new CountingSink();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var summary = await new RideFileReader().ReadAsync(stream, null, sink, null, CancellationToken.None);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.Null(summary.Rejection);
        Assert.Equal(stream.Rows, summary.Samples + summary.RowsSkipped);
        Assert.True(summary.RowsSkipped <= 1, "only the row cut by the end of the stream may be bad");
        Assert.True(summary.Samples > 3_000_000);
        Assert.True(sink.TimeAlwaysIncreased);
        Assert.True(allocated < allocationBudget, $"allocated {allocated:N0} bytes reading {fileBytes:N0}");
        Assert.True(stream.LargestRequest <= maxRequestBytes);
    }
}
