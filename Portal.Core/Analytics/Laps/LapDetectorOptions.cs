namespace Portal.Core.Analytics.Laps;

/// <summary>What counts as a lap of a circuit; the defaults suit motorcycle circuits from karting tracks up.</summary>
public sealed record LapDetectorOptions
{
    /// <summary>Half the width of the start/finish gate: track width plus GPS error (a pit lane 30 m away does not pass it).</summary>
    public double GateHalfWidthM { get; init; } = 20;

    /// <summary>Shorter loops are not laps: riding round a city block again and again is no track session (nor a kart track).</summary>
    public double MinLapLengthM { get; init; } = 800;

    public double MinLapTimeS { get; init; } = 30;

    /// <summary>Fewer consistent laps than this is no track session (one pass round a block is not one).</summary>
    public int MinLaps { get; init; } = 2;

    /// <summary>A lap's length may differ this much (relative) from the median lap and still count (racing lines, GPS error).</summary>
    public double LapLengthTolerance { get; init; } = 0.1;

    /// <summary>A lap must follow the reference lap: its quarter points lie this close to the reference's (or 5 % of the lap length).</summary>
    public double SamePathToleranceM { get; init; } = 60;

    /// <summary>Crossing a gate counts only when heading within this angle of the gate's direction.</summary>
    public double HeadingAgreementDeg { get; init; } = 45;

    /// <summary>Gates are only placed where the rider is moving at least this fast (not in the pit box).</summary>
    public double MinGateSpeedKmh { get; init; } = 30;

    /// <summary>How many candidate gates are tried along the track (evenly by distance).</summary>
    public int MaxCandidateGates { get; init; } = 400;

    /// <summary>Trace segments longer than this (GPS dropouts) are not interpolated across.</summary>
    public double MaxSegmentLengthM { get; init; } = 300;

    public static LapDetectorOptions Default { get; } = new();
}
