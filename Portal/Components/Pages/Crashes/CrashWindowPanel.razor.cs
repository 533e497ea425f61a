using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Portal.Components.Charts;
using Portal.Core.Analytics;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.Pipeline;

namespace Portal.Components.Pages.Crashes;

/// <summary>
/// The crash window charts (from the crash bucket's full-rate window CSV; lean from the ride's analysis traces)
/// and the track with the crash point (from the traces; the window's own GPS fixes when the traces are missing).
/// </summary>
public sealed partial class CrashWindowPanel
{
    public const double WindowS = 10;

    private bool loaded;
    private Guid loadedRide;
    private string? windowProblem;
    private int windowSamples;
    private Trace? acceleration;
    private Trace? rate;
    private Trace? speed;
    private Trace? lean;
    private RideTraces? traces;
    private double[]? trackLatitudes;
    private double[]? trackLongitudes;
    private double[]? trackSpeeds;

    [Parameter, EditorRequired] public Guid RideId { get; set; }

    [Parameter] public double CrashTimeS { get; set; }

    [Parameter] public double? Latitude { get; set; }

    [Parameter] public double? Longitude { get; set; }

    [Inject]
    private IObjectStorage Storage { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        if (loaded && loadedRide == RideId)
        {
            return;
        }

        loaded = false;
        loadedRide = RideId;
        var samples = await ReadWindowAsync();
        windowSamples = samples.Count;
        if (samples.Count > 0)
        {
            (acceleration, rate, speed) = CrashWindowTraces.FromSamples(samples);
        }

        traces = await ReadTracesAsync();
        lean = traces.Find(RideTraceNames.Lean);
        if (traces.Find(RideTraceNames.Latitude) is null && samples.Count > 0)
        {
            // Without the analysis traces the window's own fixes still place the crash.
            trackLatitudes = [.. samples.Select(s => s.Lat)];
            trackLongitudes = [.. samples.Select(s => s.Lon)];
            trackSpeeds = [.. samples.Select(s => s.Speed)];
        }

        loaded = true;
    }

    private async Task<IReadOnlyList<RideSample>> ReadWindowAsync()
    {
        try
        {
            await using var csv = await Storage.OpenReadAsync(BucketKind.Crash, PipelineKeys.CrashWindow(RideId), CancellationToken.None);
            return CrashWindowCsv.Read(csv);
        }
        catch (ObjectNotFoundException)
        {
            windowProblem = "The crash window is missing from the crash folder.";
        }
        catch (InvalidDataException bad)
        {
            windowProblem = $"The crash window cannot be read: {bad.Message}";
        }
        catch (StorageUnavailableException down)
        {
            windowProblem = $"The crash folder cannot be reached: {down.Message}";
        }

        return [];
    }

    private async Task<RideTraces?> ReadTracesAsync()
    {
        try
        {
            await using var json = await Storage.OpenReadAsync(BucketKind.Analytics, PipelineKeys.Traces(RideId), CancellationToken.None);
            return await JsonSerializer.DeserializeAsync<RideTraces>(json, PipelineJson.Options);
        }
        catch (Exception missing) when (missing is ObjectNotFoundException or StorageUnavailableException or JsonException)
        {
            return null;
        }
    }
}
