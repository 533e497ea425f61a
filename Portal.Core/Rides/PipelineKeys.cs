namespace Portal.Core.Rides;

/// <summary>
/// Object keys of the pipeline, built from ids only: an uploaded file name never becomes part of a key.
/// </summary>
public static class PipelineKeys
{
    public static string RawRide(Guid ownerId, Guid rideId, bool compressed) =>
        $"{ownerId:D}/{rideId:D}{(compressed ? ".csv.gz" : ".csv")}";

    public const string UploadsFolder = "uploads/";

    public static string UploadPartsPrefix(Guid sessionId) => $"{UploadsFolder}{sessionId:N}/";

    public static string UploadPart(Guid sessionId, int number) => $"{UploadPartsPrefix(sessionId)}{number:D6}";

    /// <summary>True when <paramref name="key"/> is exactly a key <see cref="RawRide"/> builds; gives the ride's id.</summary>
    public static bool TryParseRawRide(string key, out Guid rideId)
    {
        rideId = Guid.Empty;
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !Guid.TryParseExact(key.AsSpan(0, slash), "D", out var ownerId))
        {
            return false;
        }

        var file = key.AsSpan(slash + 1);
        var compressed = file.EndsWith(".csv.gz", StringComparison.Ordinal);
        var stem = compressed ? file[..^".csv.gz".Length] : file.EndsWith(".csv", StringComparison.Ordinal) ? file[..^".csv".Length] : [];
        if (!Guid.TryParseExact(stem, "D", out var parsed) || RawRide(ownerId, parsed, compressed) != key)
        {
            return false;
        }

        rideId = parsed;
        return true;
    }

    /// <summary>True when <paramref name="key"/> is exactly a key <see cref="UploadPart"/> builds; gives the session's id.</summary>
    public static bool TryParseUploadPart(string key, out Guid sessionId)
    {
        sessionId = Guid.Empty;
        if (!key.StartsWith(UploadsFolder, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key.AsSpan(UploadsFolder.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0
            || !Guid.TryParseExact(rest[..slash], "N", out var parsed)
            || !int.TryParse(rest[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            || UploadPart(parsed, number) != key)
        {
            return false;
        }

        sessionId = parsed;
        return true;
    }

    public static string MetricsJson(Guid rideId) => $"{rideId:D}/metrics.json";
    public static string MetricsCsv(Guid rideId) => $"{rideId:D}/metrics.csv";
    public static string Traces(Guid rideId) => $"{rideId:D}/traces.json";

    /// <summary>The raw file's copy in the crash bucket keeps the raw key's file part (<c>{rideId}.csv[.gz]</c>).</summary>
    public static string CrashRaw(Guid rideId, string rawKey) => $"{rideId:D}/{rawKey[(rawKey.LastIndexOf('/') + 1)..]}";
    public static string CrashWindow(Guid rideId) => $"{rideId:D}/window.csv";

    /// <summary>The detector's finding, written by the analysis for the crash job.</summary>
    public static string CrashFinding(Guid rideId) => $"{rideId:D}/finding.json";
}
