namespace Portal.Core.Live;

/// <summary>
/// Where live telemetry comes from for the live view: the MQTT broker in production (a read-only client beside the
/// ingest subscriber, which may run in another process). Watching a device delivers its telemetry and session events
/// into a buffer until the returned handle is disposed.
/// </summary>
public interface ILiveTelemetrySource
{
    /// <summary>False while the source cannot reach the broker (it keeps retrying by itself).</summary>
    bool IsConnected { get; }

    /// <exception cref="ArgumentException">The id cannot be a device id (empty, or contains '/', '+', '#').</exception>
    Task<IAsyncDisposable> WatchAsync(string deviceId, LiveDeviceBuffer buffer, CancellationToken cancellationToken);
}
