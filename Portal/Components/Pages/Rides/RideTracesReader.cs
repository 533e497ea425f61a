using System.Text.Json;
using Portal.Components.Charts;
using Portal.Core.Analytics;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;

namespace Portal.Components.Pages.Rides;

/// <summary>Reads a ride's chart traces where the analysis job wrote them (analytics bucket, <c>{rideId}/traces.json</c>), as <c>GET /api/rides/{id}/traces</c> does.</summary>
public static class RideTracesReader
{
    /// <returns>Null when the analytics object is missing (the ride then needs a re-analysis).</returns>
    public static async Task<RideTraces?> ReadAsync(IObjectStorage storage, Guid rideId, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await storage.OpenReadAsync(BucketKind.Analytics, PipelineKeys.Traces(rideId), cancellationToken);
            return await JsonSerializer.DeserializeAsync<RideTraces>(stream, PipelineJson.Options, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The GPS position nearest to <paramref name="timeS"/>, to mark the crash on the map; null without GPS.</summary>
    public static (double Latitude, double Longitude)? PositionAt(RideTraces? traces, double? timeS)
    {
        if (timeS is not { } t || traces is null)
        {
            return null;
        }

        var lat = traces.Find(RideTraceNames.Latitude);
        var lon = traces.Find(RideTraceNames.Longitude);
        if (lat is null || lon is null || lat.T.Length == 0 || lon.Values.Length != lat.Values.Length)
        {
            return null;
        }

        var index = Array.BinarySearch(lat.T, t);
        index = index >= 0 ? index : Math.Min(~index, lat.T.Length - 1);
        var (latitude, longitude) = (lat.Values[index], lon.Values[index]);
        return double.IsFinite(latitude) && double.IsFinite(longitude) ? (latitude, longitude) : null;
    }
}
