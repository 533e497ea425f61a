using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Api;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Rides;

public enum RawWindowState
{
    /// <summary>A private rider's raw file, downloadable until its deadline.</summary>
    Open,

    /// <summary>Kept for good: professional riders' sessions and crash rides.</summary>
    Kept,

    /// <summary>Past the deadline (or deleted): only metrics and charts remain.</summary>
    Expired,
}

/// <summary>
/// The raw file's retention window: the deadline while it lasts with the download link, the kept wording for
/// professional and crash data, a clear expired state afterwards. Uses the API's own expiry rule.
/// </summary>
public sealed partial class RawDownloadWindow
{
    private RawWindowState state;
    private string headline = "";
    private string detail = "";

    [Parameter, EditorRequired] public RideDto Ride { get; set; } = default!;

    [Parameter] public RiderCategory OwnerCategory { get; set; }

    [Inject] private TimeProvider Time { get; set; } = default!;

    private string DownloadHref => $"/api/rides/{Ride.Id}/raw";

    protected override void OnParametersSet()
    {
        var now = Time.GetUtcNow();
        var culture = CultureInfo.CurrentCulture;
        if (RidesApi.RawExpiry(ToEntity(Ride), now) is { } expiredAt)
        {
            state = RawWindowState.Expired;
            headline = "Raw data expired";
            detail = $"The raw file was deleted on {expiredAt.ToString("d MMM yyyy", culture)} as the retention rules ask. The metrics and charts stay.";
            return;
        }

        if (Ride.RawRetainUntil is not { } deadline)
        {
            state = RawWindowState.Kept;
            headline = "Raw data kept";
            detail = Ride.CrashDetected
                ? "This ride contains a crash: its raw data is kept for R&D and never deleted."
                : OwnerCategory == RiderCategory.Professional
                    ? "Professional riders' raw data is kept and never deleted."
                    : "The raw data of this ride is kept and not deleted.";
            return;
        }

        state = RawWindowState.Open;
        headline = $"Raw data deleted in {TimeLeft(deadline - now)}";
        detail = $"Download it before {deadline.ToString("d MMM yyyy HH:mm", culture)} UTC if you want to keep it; the metrics and charts stay afterwards.";
    }

    /// <summary>Whole days left, rounded down so the page never promises more time than there is; hours on the last day.</summary>
    public static string TimeLeft(TimeSpan left)
    {
        if (left.TotalDays >= 1)
        {
            var days = (int)Math.Floor(left.TotalDays);
            return days == 1 ? "1 day" : $"{days} days";
        }

        var hours = Math.Max(1, (int)Math.Floor(left.TotalHours));
        return hours == 1 ? "1 hour" : $"{hours} hours";
    }

    private static string IconOf(RawWindowState state) => state switch
    {
        RawWindowState.Open => Icons.Material.Filled.Schedule,
        RawWindowState.Kept => Icons.Material.Filled.Inventory2,
        _ => Icons.Material.Filled.CloudOff,
    };

    private static Ride ToEntity(RideDto ride) => new() { RawRetainUntil = ride.RawRetainUntil, RawDeletedAt = ride.RawDeletedAt };
}
