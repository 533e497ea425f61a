using System.Globalization;
using System.Text;

namespace Portal.Tests;

/// <summary>Small synthetic sample files for the device-profile suggestion (values made up; layouts as the devices write them).</summary>
internal static class SampleFiles
{
    /// <summary>A RaceBox "custom" preset export at 25 Hz: a rider accelerating from 20 to 60 mph, the bare Speed column in mph.</summary>
    public static string RaceBox(int rows)
    {
        var csv = new StringBuilder("Record,Time,Latitude,Longitude,Altitude,Speed,GForceX,GForceY,GForceZ,Lap,GyroX,GyroY,GyroZ\n");
        var start = new DateTimeOffset(2024, 10, 19, 15, 24, 58, TimeSpan.Zero);
        double north = 0;
        for (var i = 0; i < rows; i++)
        {
            var t = i * 0.04;
            var mph = Math.Min(60, 20 + t * 2);
            north += mph * 0.44704 * 0.04;
            csv.Append(CultureInfo.InvariantCulture,
                $"{i + 1},{start.AddSeconds(t):yyyy-MM-ddTHH:mm:ss.fff}Z,{48 + north / 111_195:F7},11.0000000,500.0,{mph:F2},{(mph < 60 ? 0.09 : 0.0):F3},0.002,1.001,0,0.10,-0.20,0.05\n");
        }

        return csv.ToString();
    }

    /// <summary>A logger with opaque column names: ms since boot, g, rad/s (guessing refuses it with no_time_column).</summary>
    public static string OpaqueLogger(int rows)
    {
        var csv = new StringBuilder("T_boot,c1,c2,c3,c4,c5,c6\n");
        for (var i = 0; i < rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{1000 + i * 20},0.01,0.02,1.00,0.001,-0.002,0.003\n");
        }

        return csv.ToString();
    }
}
