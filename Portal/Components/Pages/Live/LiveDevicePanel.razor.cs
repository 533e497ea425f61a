using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Components.Charts;
using Portal.Core.Live;

namespace Portal.Components.Pages.Live;

/// <summary>What the live view knows about a device's stream right now.</summary>
public enum LiveState
{
    /// <summary>Neither the registry nor the feed saw the device recently, and nothing is on show.</summary>
    Offline,

    /// <summary>The device is online (or the feed just started) but has sent no samples yet.</summary>
    Waiting,

    /// <summary>Samples arrived within <see cref="LiveDevicePanel.StaleAfter"/>.</summary>
    Streaming,

    /// <summary>Samples are on show but none arrived for a while.</summary>
    Stale,

    /// <summary>The device ended its session; its last window stays on show.</summary>
    Ended,

    /// <summary>The crash detector confirmed a crash in the open session.</summary>
    Crashed,
}

/// <summary>
/// The picked device's state, session duration, sample rate, current speed and lean, and its speed, lean and acceleration
/// charts over the last window. Series are rebuilt only when a new snapshot arrives, so the charts redraw only then.
/// </summary>
public sealed partial class LiveDevicePanel
{
    /// <summary>No message for this long turns a streaming device stale.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(5);

    private static readonly ChartAxis TimeAxis = new("Time before the newest sample", "s");
    private static readonly ChartAxis SpeedAxis = new("Speed", "km/h");
    private static readonly ChartAxis LeanAxis = new("Lean (right +)", "°");
    private static readonly ChartAxis AccelerationAxis = new("Acceleration", "g");

    private LiveSnapshot? drawn;
    private IReadOnlyList<ChartSeries> speedSeries = [];
    private IReadOnlyList<ChartSeries> leanSeries = [];
    private IReadOnlyList<ChartSeries> accelerationSeries = [];
    private ChartRange? xRange;

    [Parameter, EditorRequired] public string Name { get; set; } = "";

    [Parameter, EditorRequired] public string DeviceId { get; set; } = "";

    [Parameter, EditorRequired] public LiveSnapshot Snapshot { get; set; } = LiveSnapshot.Empty;

    /// <summary>The registry (or the feed) saw the device recently.</summary>
    [Parameter] public bool Online { get; set; }

    [Parameter] public bool FeedConnected { get; set; } = true;

    [Parameter] public DateTimeOffset Now { get; set; }

    [Parameter] public int WindowSeconds { get; set; } = 60;

    /// <summary>The ride the ended session became, once it is saved.</summary>
    [Parameter] public Guid? EndedRideId { get; set; }

    private LiveState State => Snapshot switch
    {
        { SessionEnded: true, HasSamples: true } => LiveState.Ended,
        { Crash: not null } => LiveState.Crashed,
        { HasSamples: true } s when s.LastReceivedAt >= Now - StaleAfter => LiveState.Streaming,
        { HasSamples: true } => LiveState.Stale,
        _ when Online => LiveState.Waiting,
        _ => LiveState.Offline,
    };

    private string StateText => State switch
    {
        LiveState.Streaming => "Live",
        LiveState.Stale => "No data for " + MetricValue.FormatDuration((Now - Snapshot.LastReceivedAt)?.TotalSeconds),
        LiveState.Ended => "Session ended",
        LiveState.Crashed => "Crash",
        LiveState.Waiting => "Waiting for data",
        _ => "Offline",
    };

    private Color StateColor => State switch
    {
        LiveState.Streaming => Color.Success,
        LiveState.Stale or LiveState.Waiting => Color.Warning,
        LiveState.Ended => Color.Info,
        LiveState.Crashed => Color.Error,
        _ => Color.Default,
    };

    private string LastSampleText => Snapshot.LastSampleAt is { } at
        ? string.Create(CultureInfo.CurrentCulture, $"Newest sample {at:HH:mm:ss.f} UTC (device clock) · {Snapshot.SamplesReceived:N0} samples received")
        : "";

    /// <summary>After a crash the estimated lean is meaningless (the rider lies on the ground), so it is not shown.</summary>
    private double? LeanShown => Snapshot.Crash is null ? Snapshot.LeanDeg.Latest : null;

    private string CrashTimeText => Snapshot.Crash is { } crash
        ? string.Create(CultureInfo.CurrentCulture, $"{crash.At:HH:mm:ss} UTC (device clock)")
        : "";

    private string CrashPlaceText => Snapshot.Crash switch
    {
        { Latitude: { } lat, Longitude: { } lon } => string.Create(CultureInfo.InvariantCulture, $"{lat:0.00000}, {lon:0.00000}"),
        not null => "position unknown (no GPS in this stream)",
        _ => "",
    };

    private string? CrashMapLink => Snapshot.Crash is { Latitude: { } lat, Longitude: { } lon }
        ? string.Create(CultureInfo.InvariantCulture, $"https://www.openstreetmap.org/?mlat={lat:0.000000}&mlon={lon:0.000000}#map=17/{lat:0.000000}/{lon:0.000000}")
        : null;

    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(drawn, Snapshot))
        {
            drawn = Snapshot;
            speedSeries = [new ChartSeries("Speed", "km/h", Snapshot.SpeedKmh.TimeS, Snapshot.SpeedKmh.Values) { Color = "#1976d2" }];
            leanSeries = [new ChartSeries("Lean", "°", Snapshot.LeanDeg.TimeS, Snapshot.LeanDeg.Values) { Color = "#7b1fa2" }];
            accelerationSeries =
            [
                new ChartSeries("Longitudinal", "g", Snapshot.LongitudinalG.TimeS, Snapshot.LongitudinalG.Values) { Color = "#2e7d32" },
                new ChartSeries("Lateral", "g", Snapshot.LateralG.TimeS, Snapshot.LateralG.Values) { Color = "#ef6c00" },
            ];
        }

        if (xRange is null || xRange.Min != -WindowSeconds)
        {
            xRange = new ChartRange(-WindowSeconds, 0);
        }
    }
}
