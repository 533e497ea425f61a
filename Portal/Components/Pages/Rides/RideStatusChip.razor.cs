using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Rides;

/// <summary>A ride's status as a coloured chip; queued and processing rides show their progress.</summary>
public sealed partial class RideStatusChip
{
    [Parameter] public RideStatus Status { get; set; }

    [Parameter] public int ProgressPercent { get; set; }

    private string Text => TextOf(Status, ProgressPercent);

    /// <summary>The one wording of a status everywhere in the UI (British spelling, as the rest of it).</summary>
    public static string TextOf(RideStatus status, int progressPercent) => status switch
    {
        RideStatus.Queued => "Queued",
        RideStatus.Processing => $"Processing {progressPercent} %",
        RideStatus.Analyzed => "Analysed",
        RideStatus.Failed => "Failed",
        _ => status.ToString(),
    };

    /// <summary>Queued and processing rides change on their own; analysed and failed ones stay until someone re-analyses.</summary>
    public static bool IsFinal(RideStatus status) => status is RideStatus.Analyzed or RideStatus.Failed;

    private static Color ColorOf(RideStatus status) => status switch
    {
        RideStatus.Queued => Color.Default,
        RideStatus.Processing => Color.Info,
        RideStatus.Analyzed => Color.Success,
        RideStatus.Failed => Color.Error,
        _ => Color.Default,
    };
}
