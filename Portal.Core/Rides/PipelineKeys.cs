namespace Portal.Core.Rides;

/// <summary>
/// Object keys of the pipeline, built from ids only: an uploaded file name never becomes part of a key.
/// </summary>
public static class PipelineKeys
{
    public static string RawRide(Guid ownerId, Guid rideId, bool compressed) =>
        $"{ownerId:D}/{rideId:D}{(compressed ? ".csv.gz" : ".csv")}";

    public static string UploadPartsPrefix(Guid sessionId) => $"uploads/{sessionId:N}/";

    public static string UploadPart(Guid sessionId, int number) => $"{UploadPartsPrefix(sessionId)}{number:D6}";

    public static string MetricsJson(Guid rideId) => $"{rideId:D}/metrics.json";
    public static string MetricsCsv(Guid rideId) => $"{rideId:D}/metrics.csv";
    public static string Traces(Guid rideId) => $"{rideId:D}/traces.json";

    /// <summary>The raw file's copy in the crash bucket keeps the raw key's file part (<c>{rideId}.csv[.gz]</c>).</summary>
    public static string CrashRaw(Guid rideId, string rawKey) => $"{rideId:D}/{rawKey[(rawKey.LastIndexOf('/') + 1)..]}";
    public static string CrashWindow(Guid rideId) => $"{rideId:D}/window.csv";

    /// <summary>The detector's finding, written by the analysis for the crash job.</summary>
    public static string CrashFinding(Guid rideId) => $"{rideId:D}/finding.json";
}
