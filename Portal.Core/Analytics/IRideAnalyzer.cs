namespace Portal.Core.Analytics;

/// <summary>Analyses a ride file read as a stream (plain CSV or gzip, detected from the bytes).</summary>
public interface IRideAnalyzer
{
    /// <param name="rideFile">The raw file; read once, front to back, never buffered whole.</param>
    /// <param name="profile">A device profile that overrides column and unit guessing, or null.</param>
    /// <param name="progress">Receives 0–100 as the file is read, when the stream's length is known.</param>
    Task<RideAnalysis> AnalyzeAsync(Stream rideFile, DeviceProfile? profile, IProgress<int>? progress, CancellationToken cancellationToken);
}
