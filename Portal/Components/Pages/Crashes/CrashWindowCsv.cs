using nietras.SeparatedValues;
using Portal.Core.Analytics;

namespace Portal.Components.Pages.Crashes;

/// <summary>
/// Reads the crash window the analysis stores in the crash bucket (<c>{rideId}/window.csv</c>): canonical
/// columns — timestamp in seconds on the ride's clock, ax..az in m/s², gx..gz in °/s, optional speed (km/h),
/// lat, lon — at the full sample rate, ±10 s around the crash. Empty cells (GPS between fixes) become NaN.
/// </summary>
public static class CrashWindowCsv
{
    public static IReadOnlyList<RideSample> Read(Stream csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var reader = Sep.Reader(o => o with { HasHeader = true, DisableColCountCheck = true }).From(csv);
        var header = reader.Header;
        if (header.IsEmpty)
        {
            return [];
        }

        int Required(string name) => header.TryIndexOf(name, out var index)
            ? index
            : throw new InvalidDataException($"The crash window has no '{name}' column.");
        int Optional(string name) => header.TryIndexOf(name, out var index) ? index : -1;

        var (iT, iAx, iAy, iAz) = (Required("timestamp"), Required("ax"), Required("ay"), Required("az"));
        var (iGx, iGy, iGz) = (Required("gx"), Required("gy"), Required("gz"));
        var (iSpeed, iLat, iLon) = (Optional("speed"), Optional("lat"), Optional("lon"));

        var samples = new List<RideSample>();
        foreach (var row in reader)
        {
            var sample = new RideSample
            {
                T = Number(row, iT),
                Ax = Number(row, iAx),
                Ay = Number(row, iAy),
                Az = Number(row, iAz),
                Gx = Number(row, iGx),
                Gy = Number(row, iGy),
                Gz = Number(row, iGz),
                Mx = double.NaN,
                My = double.NaN,
                Mz = double.NaN,
                Speed = Number(row, iSpeed),
                Lat = Number(row, iLat),
                Lon = Number(row, iLon),
                Alt = double.NaN,
            };
            if (double.IsFinite(sample.T))
            {
                samples.Add(sample);
            }
        }

        return samples;
    }

    private static double Number(SepReader.Row row, int index) =>
        index >= 0 && index < row.ColCount && row[index].TryParse<double>(out var value) ? value : double.NaN;
}
