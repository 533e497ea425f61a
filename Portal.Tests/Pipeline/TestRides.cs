using System.Globalization;
using Portal.Core.Catalog;

namespace Portal.Tests.Pipeline;

/// <summary>Catalog rows of rides for read-path tests, without going through an upload.</summary>
internal static class TestRides
{
    /// <summary>An analysed ride uploaded at <paramref name="uploadedAt"/>, whose metrics hold only its maximum speed.</summary>
    public static Ride Analysed(Guid owner, DateTimeOffset uploadedAt, double maxSpeedKmh, string? fileName = null, DateTimeOffset? rawRetainUntil = null)
    {
        var id = Guid.CreateVersion7(uploadedAt);
        return new Ride
        {
            Id = id,
            OwnerId = owner,
            UploaderId = owner,
            Source = RideSource.Api,
            FileName = fileName ?? $"ride-{id:N}.csv",
            SizeBytes = 1000,
            Sha256 = $"{id:N}{id:N}",
            RawKey = $"{owner}/{id}.csv",
            UploadedAt = uploadedAt,
            StartedAt = uploadedAt,
            Status = RideStatus.Analyzed,
            ProgressPercent = 100,
            AnalyzedAt = uploadedAt.AddSeconds(2),
            AnalysisVersion = 1,
            MetricsJson = string.Create(CultureInfo.InvariantCulture, $$"""{"max_speed_kmh":{{maxSpeedKmh}}}"""),
            MaxSpeedKmh = maxSpeedKmh,
            RawRetainUntil = rawRetainUntil,
        };
    }
}
