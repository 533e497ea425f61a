using Portal.Core.Analytics.Metrics;

namespace Portal.Core.Rides;

/// <summary>A named place: a circuit (small radius) or a town (larger).</summary>
public sealed record GazetteerPlace(string Name, double Latitude, double Longitude, double RadiusKm);

/// <summary>
/// Offline reverse geocoding for ride titles: the nearest place within its radius of a GPS fix. A small built-in
/// table of circuits and towns where the maker's riders ride; circuits come first so a track session is named
/// after the track rather than the nearby town. No network, no data file.
/// </summary>
public static class Gazetteer
{
    public static readonly IReadOnlyList<GazetteerPlace> Places =
    [
        // Circuits
        new("Mugello", 43.9975, 11.3719, 2.5),
        new("Imola", 44.3439, 11.7167, 2.5),
        new("Misano", 43.9617, 12.6833, 2.5),
        new("Monza", 45.6156, 9.2811, 3),
        new("Vallelunga", 42.1592, 12.3697, 2),
        new("Varano", 44.6808, 10.0225, 1.5),
        new("Aragón", 41.0797, -0.2033, 3),
        new("Jerez", 36.7083, -6.0342, 2.5),
        new("Valencia Ricardo Tormo", 39.4894, -0.6261, 2.5),
        new("Barcelona-Catalunya", 41.5700, 2.2611, 2.5),
        new("Le Mans", 47.9561, 0.2097, 3),
        new("Sachsenring", 50.7914, 12.6889, 2),
        new("Assen", 52.9617, 6.5231, 2.5),
        new("Red Bull Ring", 47.2197, 14.7647, 2.5),
        new("Brno", 49.2033, 16.4444, 2.5),
        new("Silverstone", 52.0786, -1.0169, 3),
        new("Portimão", 37.2270, -8.6267, 2.5),
        new("Magny-Cours", 46.8642, 3.1636, 2.5),
        new("Most", 50.5194, 13.6078, 2),

        // Towns and cities
        new("Bologna", 44.4949, 11.3426, 15),
        new("Vergato", 44.2833, 11.1167, 12),
        new("Modena", 44.6471, 10.9252, 12),
        new("Florence", 43.7696, 11.2558, 15),
        new("Milan", 45.4642, 9.1900, 20),
        new("Turin", 45.0703, 7.6869, 15),
        new("Rome", 41.9028, 12.4964, 25),
        new("Verona", 45.4384, 10.9916, 12),
        new("Venice", 45.4408, 12.3155, 15),
        new("Rimini", 44.0678, 12.5695, 10),
        new("Parma", 44.8015, 10.3279, 12),
        new("Treviso", 45.6669, 12.2430, 12),
        new("Munich", 48.1351, 11.5820, 20),
        new("Barcelona", 41.3874, 2.1686, 20),
        new("Madrid", 40.4168, -3.7038, 25),
        new("Paris", 48.8566, 2.3522, 25),
        new("London", 51.5072, -0.1276, 30),
    ];

    /// <summary>The nearest place whose radius covers the fix, or null far from all of them (or for an invalid fix).</summary>
    public static GazetteerPlace? Nearest(double latitude, double longitude)
    {
        if (!double.IsFinite(latitude) || !double.IsFinite(longitude) || Math.Abs(latitude) > 90 || Math.Abs(longitude) > 180
            || (latitude == 0 && longitude == 0))
        {
            return null;
        }

        GazetteerPlace? best = null;
        var bestKm = double.PositiveInfinity;
        foreach (var place in Places)
        {
            var km = GeoMath.HaversineM(latitude, longitude, place.Latitude, place.Longitude) / 1000.0;
            // Circuits are small: inside one wins over a town whose centre happens to be nearer.
            var score = km / place.RadiusKm;
            if (km <= place.RadiusKm && score < bestKm)
            {
                best = place;
                bestKm = score;
            }
        }

        return best;
    }
}
