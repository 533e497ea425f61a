using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Laps;

namespace Portal.Components.Pages.Rides;

/// <summary>The laps of a track session (detected from the ride's GPS trace), best lap marked; for a ride without laps, why.</summary>
public sealed partial class RideLaps
{
    private RideTraces? detectedFrom;
    private LapSession? session;
    private LapSummary? best;
    private IReadOnlyList<LapSummary> summaries = [];
    private string? noLapsReason;

    [Parameter, EditorRequired] public Guid RideId { get; set; }

    [Parameter, EditorRequired] public RideTraces? Traces { get; set; }

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(detectedFrom, Traces) && (Traces is not null || session is null))
        {
            return;
        }

        detectedFrom = Traces;
        session = LapDetector.Detect(Traces);
        summaries = session is null ? [] : LapSummary.Summarize(session, Traces);
        best = summaries.FirstOrDefault(s => s.IsBest);
        noLapsReason = session is null && Traces is not null ? LapAbsence.Explain(Traces) : null;
    }

    private string CompareHref(int lap) =>
        string.Create(CultureInfo.InvariantCulture, $"/rides/compare?a={RideId}&lapA={lap}&b={RideId}&lapB={best!.Lap.Number}");
}

/// <summary>Lap times as riders read them.</summary>
public static class LapFormat
{
    /// <summary>"1:25.490" (or "58.120" under a minute).</summary>
    public static string Time(double seconds)
    {
        var minutes = (int)(seconds / 60);
        var rest = seconds - (minutes * 60);
        return minutes > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{minutes}:{rest:00.000}")
            : rest.ToString("0.000", CultureInfo.InvariantCulture);
    }

    public static string Gap(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture) + " s";

    public static string Heading(double degrees) => degrees.ToString("0", CultureInfo.InvariantCulture) + "°";
}
