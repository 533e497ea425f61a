using System.Globalization;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;
using Portal.Core.Catalog;

namespace Portal.Core.Rides;

/// <summary>What a ride is called when its rider has not titled it: place and part of the day, else date and time.</summary>
public static class RideTitles
{
    /// <summary>
    /// The title to show: the rider's own, else "Mugello, Sat 3 May morning" (place known), else
    /// "Sat 3 May 2026, 08:14". <paramref name="zone"/> is the viewer's time zone (the browser's).
    /// </summary>
    public static string Display(string? title, string? placeName, DateTimeOffset startedAt, TimeZoneInfo zone)
    {
        if (!string.IsNullOrWhiteSpace(title))
        {
            return title;
        }

        var local = TimeZoneInfo.ConvertTime(startedAt, zone);
        var culture = CultureInfo.GetCultureInfo("en-GB");
        return string.IsNullOrWhiteSpace(placeName)
            ? local.ToString("ddd d MMM yyyy, HH:mm", culture)
            : $"{placeName}, {local.ToString("ddd d MMM", culture)} {PartOfDay(local.Hour)}";
    }

    public static string Display(Ride ride, TimeZoneInfo zone) => Display(ride.Title, ride.PlaceName, ride.StartedAt, zone);

    public static string PartOfDay(int hour) => hour switch
    {
        >= 5 and < 12 => "morning",
        >= 12 and < 17 => "afternoon",
        >= 17 and < 21 => "evening",
        _ => "night",
    };

    /// <summary>The gazetteer's name for the ride's first GPS fix in its traces, or null without GPS.</summary>
    public static string? PlaceOf(RideTraces? traces)
    {
        var lat = traces?.Channels.FirstOrDefault(c => c.Name == TraceNames.Latitude);
        var lon = traces?.Channels.FirstOrDefault(c => c.Name == TraceNames.Longitude);
        if (lat is null || lon is null)
        {
            return null;
        }

        for (var i = 0; i < Math.Min(lat.Values.Length, lon.Values.Length); i++)
        {
            if (double.IsFinite(lat.Values[i]) && double.IsFinite(lon.Values[i]) && (lat.Values[i] != 0 || lon.Values[i] != 0))
            {
                return Gazetteer.Nearest(lat.Values[i], lon.Values[i])?.Name;
            }
        }

        return null;
    }
}
