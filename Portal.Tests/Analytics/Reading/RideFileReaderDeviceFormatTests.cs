using System.Globalization;
using System.Text;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Reading;
using static Portal.Tests.Analytics.Reading.ReadingTestSupport;

namespace Portal.Tests.Analytics.Reading;

/// <summary>
/// Phone-logger and lap-timer exports read without a device profile. Every file here is synthetic (values made up
/// for the test); only the layouts follow the real exports, as public parsers and sample exports show them:
/// SensorLog (iOS) column names with units in parentheses and <c>loggingTime(txt)</c> wall-clock text; Sensor Logger's
/// per-sensor files <c>time,seconds_elapsed,z,y,x</c> with epoch nanoseconds; phyphox' quoted <c>"Time (s)"</c>,
/// <c>"Acceleration x (m/s^2)"</c>, <c>"Gyroscope x (rad/s)"</c> with E-notation values; RaceChrono CSV v3 (a first line
/// without commas, <c>Format,3</c> and metadata lines, then the header, a units row and a sources row, repeated names);
/// RaceBox (<c>Record,Time,…,Speed,GForceX…,Lap,GyroX…</c>, an optional <c>Format,RaceBox CSV</c> block, bike mode with
/// <c>LeanAngle</c> instead of <c>GForceY</c>).
/// </summary>
[Trait("Category", "Analytics")]
public sealed class RideFileReaderDeviceFormatTests
{
    private const double G = 9.80665;
    private const double Deg = 180 / Math.PI;

    [Fact]
    public async Task SensorLog_IsRead_WithGInvertedToSpecificForce_RadiansToDegrees_AndLocalWallClockStart()
    {
        var csv = new StringBuilder(
            "loggingTime(txt),loggingSample(N),identifierForVendor(txt),locationTimestamp_since1970(s),locationLatitude(WGS84),locationLongitude(WGS84),"
            + "locationAltitude(m),locationSpeed(m/s),locationSpeedAccuracy(m/s),locationCourse(°),accelerometerTimestamp_sinceReboot(s),"
            + "accelerometerAccelerationX(G),accelerometerAccelerationY(G),accelerometerAccelerationZ(G),gyroTimestamp_sinceReboot(s),"
            + "gyroRotationX(rad/s),gyroRotationY(rad/s),gyroRotationZ(rad/s),motionUserAccelerationX(G),motionUserAccelerationY(G),motionUserAccelerationZ(G),"
            + "magnetometerX(µT),magnetometerY(µT),magnetometerZ(µT)\n");
        for (var i = 0; i < 30; i++)
        {
            var speed = i == 0 ? "-1.000000" : "10.000000"; // Core Location writes -1 before it has a speed
            csv.Append(CultureInfo.InvariantCulture, $"2018-04-08 10:31:{37 + i / 10}.{(97 + i * 100) % 1000:000},{i},ABC-123,1523183497.000,48.100000,11.500000,520.0,{speed},0.5,90.0,")
               .Append(CultureInfo.InvariantCulture, $"{1000 + i * 0.1:F3},0.010000,0.020000,-1.000000,{1000 + i * 0.1:F3},0.100000,0.000000,-0.050000,0.3,0.3,0.3,20.0,-5.0,-40.0\n");
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(30, summary.Samples);
        var facts = summary.Facts!;
        Assert.Equal(RideFileFormats.SensorLog, facts.Format);
        Assert.Equal("local_text", facts.TimeFormat);
        Assert.False(facts.TimeHasOffset);
        Assert.Equal(new DateTimeOffset(2018, 4, 8, 10, 31, 37, 97, TimeSpan.Zero), summary.StartTime);
        Assert.Equal(0.1, sink.Samples[1].T, 6);
        Assert.Equal(G, sink.Samples[0].Az, 6);          // lying face up: Core Motion's −1 g is +9.81 of specific force
        Assert.Equal(-0.01 * G, sink.Samples[0].Ax, 6);  // the whole vector flips, not just z
        Assert.Equal(0.1 * Deg, sink.Samples[0].Gx, 6);  // gyroRotation, not the user acceleration, feeds the channels
        Assert.True(double.IsNaN(sink.Samples[0].Speed)); // -1 is "no speed"
        Assert.Equal(36.0, sink.Samples[1].Speed, 6);
        Assert.Equal(48.1, sink.Samples[1].Lat, 9);
        Assert.Equal(("g", UnitSources.Header), (facts.AccelerationUnit, facts.AccelerationSource));
        Assert.Equal(("rad/s", UnitSources.Header), (facts.AngularRateUnit, facts.AngularRateSource));
        Assert.Equal("loggingTime(txt)", facts.Columns["timestamp"]);
        Assert.Equal("gyroRotationX(rad/s)", facts.Columns["gx"]);
        Assert.Contains(facts.Notes, n => n.Contains("negates", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SensorLog_WallClockWithASpaceBeforeTheOffset_GivesTheUtcStart()
    {
        var csv = "loggingTime(txt),accelerometerAccelerationX(G),accelerometerAccelerationY(G),accelerometerAccelerationZ(G),gyroRotationX(rad/s),gyroRotationY(rad/s),gyroRotationZ(rad/s)\n"
                  + "2018-04-08 10:31:37.097 +0200,0,0,-1,0,0,0\n2018-04-08 10:31:37.197 +0200,0,0,-1,0,0,0\n";

        var (summary, sink) = await ReadAsync(csv);

        Assert.Null(summary.Rejection);
        Assert.Equal(new DateTimeOffset(2018, 4, 8, 8, 31, 37, 97, TimeSpan.Zero), summary.StartTime);
        Assert.Equal(("iso8601", true), (summary.Facts!.TimeFormat, summary.Facts.TimeHasOffset));
        Assert.Equal(0.1, sink.Samples[1].T, 6);
    }

    [Fact]
    public async Task SensorLoggerSingleSensorFile_IsRefusedWithNoImuColumns_AndSaysWhy()
    {
        var csv = "time,seconds_elapsed,z,y,x\n1718030736872695300,0.0706,9.80,0.15,0.67\n1718030736882695300,0.0806,9.81,0.15,0.67\n";

        var (summary, _) = await ReadAsync(csv);

        Assert.Equal(RideRejectionCodes.NoImuColumns, summary.Rejection?.Code);
        Assert.Contains("Sensor Logger writes one file per sensor", summary.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SensorLoggerStyleCombinedFile_WithEpochNanoseconds_IsReadWithItsAbsoluteStart()
    {
        var csv = new StringBuilder("time,seconds_elapsed,accelerometer_x,accelerometer_y,accelerometer_z,gyroscope_x,gyroscope_y,gyroscope_z\n");
        const long start = 1_718_030_736_872_695_300;
        for (var i = 0; i < 50; i++)
        {
            var jitter = i % 3 * 1_000_000L; // Bluetooth/OS jitter of 0–2 ms around 100 Hz
            csv.Append(CultureInfo.InvariantCulture, $"{start + i * 10_000_000L + jitter},{i * 0.01:F4},0.1,0.2,9.8,0.01,0.02,0.03\n");
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(RideFileFormats.SensorLogger, summary.Facts!.Format);
        Assert.Equal(("number", "ns", "epoch"), (summary.Facts.TimeFormat, summary.Facts.TimeUnit, summary.Facts.TimeBase));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_718_030_736_873), summary.StartTime);
        Assert.Equal(0.011, sink.Samples[1].T, 6);
        Assert.Equal(0.491, sink.Samples[49].T, 6);
    }

    [Fact]
    public async Task PhyphoxExport_QuotedHeadersAndENotation_IsReadInSecondsWithRadiansConverted()
    {
        var csv = new StringBuilder("\"Time (s)\",\"Acceleration x (m/s^2)\",\"Acceleration y (m/s^2)\",\"Acceleration z (m/s^2)\",\"Gyroscope x (rad/s)\",\"Gyroscope y (rad/s)\",\"Gyroscope z (rad/s)\"\n");
        for (var i = 0; i < 20; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{0.0419 + i * 0.0101:E9},1.253294443E-1,-2.0E-2,9.811572451E0,5.0E-2,0.0E0,-1.0E-2\n");
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(RideFileFormats.Phyphox, summary.Facts!.Format);
        Assert.Null(summary.StartTime);
        Assert.Equal(("s", "relative"), (summary.Facts.TimeUnit, summary.Facts.TimeBase));
        Assert.Equal(0.0101, sink.Samples[1].T, 6);
        Assert.Equal(9.811572451, sink.Samples[0].Az, 6);
        Assert.Equal(0.05 * Deg, sink.Samples[0].Gx, 6);
        Assert.Equal(("m/s2", UnitSources.Header), (summary.Facts.AccelerationUnit, summary.Facts.AccelerationSource));
    }

    [Fact]
    public async Task RaceChronoV3_MetadataUnitsAndSourcesRows_AreUnderstood_AndTheGpsSpeedIsRead()
    {
        var csv = new StringBuilder();
        csv.Append("This file is created using RaceChrono v9.1.3 ( http://racechrono.com/ ).\n")
           .Append("Format,3\nSession title,\"Test track\"\nSession type,Lap timing\nTrack name,\"Test track\"\nDriver name,\nCreated,21/02/2026,22:12\nNote,\n\n")
           .Append("timestamp,fragment_id,lap_number,elapsed_time,distance_traveled,accuracy,altitude,bearing,device_update_rate,fix_type,latitude,longitude,satellites,speed,combined_acc,device_update_rate,lateral_acc,lean_angle,longitudinal_acc,speed,device_update_rate,x_acc,y_acc,z_acc,device_update_rate,x_rate_of_rotation,y_rate_of_rotation,z_rate_of_rotation\n")
           .Append("unix time,,,s,m,m,m,deg,Hz,,deg,deg,sats,m/s,G,Hz,G,deg,G,m/s,Hz,G,G,G,Hz,deg/s,deg/s,deg/s\n")
           .Append(",,,,,100: gps,100: gps,100: gps,100: gps,100: gps,100: gps,100: gps,100: gps,100: gps,calc,calc,calc,calc,calc,calc,101: acc,101: acc,101: acc,101: acc,102: gyro,102: gyro,102: gyro,102: gyro\n");
        for (var i = 0; i < 40; i++)
        {
            var t = 1_771_711_920.00 + i * 0.02;
            if (i % 2 == 0)
            {
                // A GPS update: position and both speeds, no IMU values.
                csv.Append(CultureInfo.InvariantCulture, $"{t:F2},0,1,{i * 0.02:F2},{i * 0.4:F1},0.9,200.0,90.0,25,3,33.5000{i:00},-86.3000,14,20.00,0.1,20,0.05,5,0.02,99.00,,,,,,,,\n");
            }
            else
            {
                csv.Append(CultureInfo.InvariantCulture, $"{t:F2},0,1,{i * 0.02:F2},,,,,,,,,,,,,,,,,25,0.02,0.01,0.98,25,1.5,-0.5,3.0\n");
            }
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(0, summary.RowsSkipped);
        Assert.Equal(20, summary.Samples); // the IMU rows; each GPS row's values ride on the next one
        var facts = summary.Facts!;
        Assert.Equal(RideFileFormats.RaceChronoV3, facts.Format);
        Assert.Equal(("number", "s", "epoch", UnitSources.Header), (facts.TimeFormat, facts.TimeUnit, facts.TimeBase, facts.TimeSource));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_771_711_920_020), summary.StartTime);
        Assert.Equal(72.0, sink.Samples[0].Speed, 6);    // the GPS speed (20 m/s), not the calculated 99
        Assert.Equal(33.5, sink.Samples[0].Lat, 6);
        Assert.Equal(0.98 * G, sink.Samples[0].Az, 6);
        Assert.Equal(3.0, sink.Samples[0].Gz, 9);
        Assert.Equal(0.04, sink.Samples[1].T, 6);
        Assert.Equal("speed (m/s)", facts.Columns["speed"]);
    }

    [Fact]
    public async Task RaceChronoV3_WithoutImuChannels_IsRefusedWithNoImuColumns_NamingTheFormat()
    {
        var csv = "This file is created using RaceChrono v9.1.3 ( http://racechrono.com/ ).\nFormat,3\nNote,\n\n"
                  + "timestamp,latitude,longitude,speed\nunix time,deg,deg,m/s\n,100: gps,100: gps,100: gps\n"
                  + "1771711920.00,33.5,-86.3,20\n1771711920.04,33.5,-86.3,20\n";

        var (summary, _) = await ReadAsync(csv);

        Assert.Equal(RideRejectionCodes.NoImuColumns, summary.Rejection?.Code);
        Assert.Contains("racechrono_v3", summary.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RaceBox_WithItsMetadataBlock_ReadsGForceInG_AndTheSilentSpeedAsMph()
    {
        var csv = new StringBuilder("Format,RaceBox CSV\nTrack,Test ring\nLaps,1\nLap 1, 33.821, sectors, 9.01,6.759,9.764,0,8.288\n\n")
            .Append("Record,Time,Latitude,Longitude,Altitude,Speed,GForceX,GForceY,GForceZ,Lap,GyroX,GyroY,GyroZ\n");
        for (var i = 0; i < 25; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i + 1},2024-10-19T15:24:{58 + i / 25:00}.{i % 25 * 40:000}Z,32.2848992,-106.9305228,1353.0,50.00,0.023,-0.019,1.007,0,0.41,-0.44,-0.18\n");
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(25, summary.Samples);
        var facts = summary.Facts!;
        Assert.Equal(RideFileFormats.RaceBox, facts.Format);
        Assert.Equal(("mph", UnitSources.Format), (facts.SpeedUnit, facts.SpeedSource));
        Assert.Equal(("g", UnitSources.Header), (facts.AccelerationUnit, facts.AccelerationSource));
        Assert.Equal(80.4672, sink.Samples[0].Speed, 4);
        Assert.Equal(1.007 * G, sink.Samples[0].Az, 6);
        Assert.Equal(0.41, sink.Samples[0].Gx, 9);
        Assert.Equal(0.04, sink.Samples[1].T, 6);
        Assert.Equal(new DateTimeOffset(2024, 10, 19, 15, 24, 58, TimeSpan.Zero), summary.StartTime);
    }

    [Fact]
    public async Task RaceBox_WithALapBlockButNoFormatLine_FindsItsHeaderBelowTheBlock()
    {
        var csv = "Track,Test ring\nBest Lap Time,29.648\nLap 1, 33.821, sectors, 9.01,6.759,9.764,0,8.288\n\n"
                  + "Record,Time,Latitude,Longitude,Altitude,Speed,GForceX,GForceY,GForceZ,Lap,GyroX,GyroY,GyroZ\n"
                  + "1,2024-10-19T15:24:58.400,32.28,-106.93,1353.0,3.17,0.023,-0.019,1.007,0,0.41,-0.44,-0.18\n"
                  + "2,2024-10-19T15:24:58.440,32.28,-106.93,1353.0,3.12,0.039,-0.017,1.009,0,0.44,-0.32,-0.45\n";

        var (summary, sink) = await ReadAsync(csv);

        Assert.Null(summary.Rejection);
        Assert.Equal(2, summary.Samples);
        Assert.Equal(RideFileFormats.RaceBox, summary.Facts!.Format);
        Assert.Equal("local_text", summary.Facts.TimeFormat);
        Assert.Equal(0.04, sink.Samples[1].T, 6);
    }

    [Fact]
    public async Task RaceBoxBikeMode_WithoutGForceY_IsRead_WithAyZero_AndSaysSo()
    {
        var csv = new StringBuilder("Record,Time,Latitude,Longitude,Altitude,Speed,GForceX,GForceZ,Lap,LeanAngle,GyroX,GyroY,GyroZ\n");
        for (var i = 0; i < 10; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i + 1},2026-07-10T13:16:19.{480 + i * 40}Z,50.5,13.6,300.0,36.0,0.10,1.02,1,12.5,1.0,0.5,8.0\n");
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(0.0, sink.Samples[0].Ay);
        Assert.Equal(0.10 * G, sink.Samples[0].Ax, 6);
        Assert.Equal("(none: read as 0)", summary.Facts!.Columns["ay"]);
        Assert.Contains(summary.Facts.Notes, n => n.Contains("GForceY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RaceBoxExport_WithoutGyroscope_IsStillRefusedWithNoImuColumns()
    {
        var csv = "Record,Time,Latitude,Longitude,Altitude,Speed,GForceX,GForceY,GForceZ,Lap\n1,2024-10-19T15:24:58.400,32.28,-106.93,1353.0,3.17,0.023,-0.019,1.007,0\n2,2024-10-19T15:24:58.440,32.28,-106.93,1353.0,3.12,0.039,-0.017,1.009,0\n";

        var (summary, _) = await ReadAsync(csv);

        Assert.Equal(RideRejectionCodes.NoImuColumns, summary.Rejection?.Code);
        Assert.Contains("Missing: gx, gy, gz", summary.Rejection!.Message, StringComparison.Ordinal);
    }

    /// <summary>Time cells of the first three rows, the step between the first two in seconds, the absolute start if any, and the facts' unit and base.</summary>
    [Theory]
    [InlineData("t", "1523183497123456789,1523183497133456789,1523183497143456789", 0.010, "2018-04-08T10:31:37.123+00:00", "ns", "epoch")]
    [InlineData("t", "8123456789012,8123466789012,8123476789012", 0.010, null, "ns", "relative")]          // ns since boot, 100 Hz
    [InlineData("t", "8123456789012,8123457789012,8123458789012", 0.001, null, "ns", "relative")]          // ns since boot, 1 kHz
    [InlineData("t", "6004,6529,6913", 0.525, null, "ms", "relative")]                                      // ms since boot, ~1.9 Hz
    [InlineData("t", "1000,1001,1002", 0.001, null, "ms", "relative")]                                      // ms since boot, 1 kHz
    [InlineData("t", "84123.250,84123.350,84123.450", 0.100, null, "s", "relative")]                        // s since boot, 10 Hz
    [InlineData("t", "12.5,13.5,14.5", 1.0, null, "s", "relative")]                                         // s since start, 1 Hz
    [InlineData("t", "5123456789,5123466789,5123476789", 0.010, null, "us", "relative")]                   // µs since boot, 100 Hz
    [InlineData("timestamp", "1523183497.123,1523183497.133,1523183497.143", 0.010, "2018-04-08T10:31:37.123+00:00", "s", "epoch")]
    [InlineData("timestamp", "1523183497,1523183498,1523183499", 1.0, "2018-04-08T10:31:37+00:00", "s", "epoch")]   // 1 Hz integer epoch seconds
    [InlineData("timestamp", "1523183497123,1523183497133,1523183497143", 0.010, "2018-04-08T10:31:37.123+00:00", "ms", "epoch")]
    public async Task NumericTime_ScaleAndBase_AreDetectedFromTheData(string header, string cells, double step, string? start, string unit, string timeBase)
    {
        var times = cells.Split(',');
        var csv = $"{header},ax,ay,az,gx,gy,gz\n" + string.Concat(times.Select(t => $"{t},0,0,9.81,0,0,0\n"));

        var (summary, sink) = await ReadAsync(csv);

        Assert.Null(summary.Rejection);
        Assert.Equal(step, sink.Samples[1].T, 6);
        Assert.Equal(start is null ? null : DateTimeOffset.Parse(start, CultureInfo.InvariantCulture), summary.StartTime);
        Assert.Equal((unit, timeBase, UnitSources.Data), (summary.Facts!.TimeUnit, summary.Facts.TimeBase, summary.Facts.TimeSource));
    }

    [Theory]
    [InlineData("2018-04-08 10:31:37.097", "2018-04-08 10:31:37.197", "local_text", false, "2018-04-08T10:31:37.097+00:00")]
    [InlineData("2018-04-08T10:31:37.097", "2018-04-08T10:31:37.197", "local_text", false, "2018-04-08T10:31:37.097+00:00")]
    [InlineData("2018-04-08 10:31:37", "2018-04-08 10:31:38", "local_text", false, "2018-04-08T10:31:37+00:00")]
    [InlineData("2018-04-08T10:31:37Z", "2018-04-08T10:31:38Z", "iso8601", true, "2018-04-08T10:31:37+00:00")]
    [InlineData("2018-04-08T12:31:37.097+02:00", "2018-04-08T12:31:37.197+02:00", "iso8601", true, "2018-04-08T10:31:37.097+00:00")]
    [InlineData("2018-04-08T05:31:37.097-0500", "2018-04-08T05:31:37.197-0500", "iso8601", true, "2018-04-08T10:31:37.097+00:00")]
    public async Task TextTime_WithOrWithoutOffset_SetsTheStart_AndTheFactsSayWhich(string first, string second, string format, bool offset, string start)
    {
        var csv = $"time,ax,ay,az,gx,gy,gz\n{first},0,0,9.81,0,0,0\n{second},0,0,9.81,0,0,0\n";

        var (summary, _) = await ReadAsync(csv);

        Assert.Null(summary.Rejection);
        Assert.Equal(DateTimeOffset.Parse(start, CultureInfo.InvariantCulture), summary.StartTime);
        Assert.Equal((format, (bool?)offset), (summary.Facts!.TimeFormat, summary.Facts.TimeHasOffset));
    }

    [Fact]
    public async Task IrregularSampling_KeepsEveryRowAtItsOwnTime()
    {
        double[] offsets = [0, 0.0012, 0.0290, 0.0305, 0.2100, 0.2111, 1.2111, 1.2150];
        var csv = "time_ms,ax,ay,az,gx,gy,gz\n" + string.Concat(offsets.Select(o => string.Create(CultureInfo.InvariantCulture, $"{5000 + o * 1000:F1},0,0,9.81,0,0,0\n")));

        var (summary, sink) = await ReadAsync(csv);

        Assert.Null(summary.Rejection);
        Assert.Equal(offsets, sink.Samples.Select(s => Math.Round(s.T, 6)));
    }

    [Fact]
    public async Task GyroHeaderClaimingDegrees_OverRadianValues_LosesToTheData_WhenTheGpsTrackTurns()
    {
        var (summary, sink) = await ReadAsync(TurningRide("gyro_x (deg/s),gyro_y (deg/s),gyro_z (deg/s)", yawRate: Math.PI / 2 / 10));

        Assert.Null(summary.Rejection);
        Assert.Equal(("rad/s", UnitSources.Data), (summary.Facts!.AngularRateUnit, summary.Facts.AngularRateSource));
        Assert.Equal(90.0 / 10, sink.Samples[250].Gz, 3); // 90° in 10 s
        Assert.Contains(summary.Facts.Notes, n => n.Contains("header states deg/s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GyroInDegrees_UnderASilentHeader_StaysDegrees_WhenTheGpsTrackTurns()
    {
        var (summary, sink) = await ReadAsync(TurningRide("gx,gy,gz", yawRate: 90.0 / 10));

        Assert.Null(summary.Rejection);
        Assert.Equal("deg/s", summary.Facts!.AngularRateUnit);
        Assert.Equal(9.0, sink.Samples[250].Gz, 3);
    }

    [Fact]
    public async Task GyroHeaderClaimingRadians_OverLargeDegreeValues_LosesToTheData()
    {
        var csv = new StringBuilder("t,ax,ay,az,gyro_x (rad/s),gyro_y (rad/s),gyro_z (rad/s)\n");
        for (var i = 0; i < 200; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i * 0.01:F2},0,0,9.81,{25 + i % 7},{-18 - i % 5},{40 + i % 3}\n");
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(("deg/s", UnitSources.Data), (summary.Facts!.AngularRateUnit, summary.Facts.AngularRateSource));
        Assert.Equal(40.0, sink.Samples[0].Gz, 9);
    }

    [Fact]
    public async Task GyroAtRest_CannotBeDecidedFromTheData_SoTheHeaderStands()
    {
        var csv = new StringBuilder("t,ax,ay,az,gyro_x (rad/s),gyro_y (rad/s),gyro_z (rad/s)\n");
        for (var i = 0; i < 200; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i * 0.01:F2},0,0,9.81,0.001,-0.002,0.001\n");
        }

        var (summary, _) = await ReadAsync(csv.ToString());

        Assert.Equal(("rad/s", UnitSources.Header), (summary.Facts!.AngularRateUnit, summary.Facts.AngularRateSource));
    }

    [Fact]
    public async Task CanonicalFile_Facts_SayGeneric_WithUnitsFromTheData()
    {
        var (summary, _) = await ReadAsync(CanonicalFile(20));

        var facts = summary.Facts!;
        Assert.Equal(RideFileFormats.Generic, facts.Format);
        Assert.Equal(("m/s2", UnitSources.Data), (facts.AccelerationUnit, facts.AccelerationSource));
        Assert.Equal(("deg/s", UnitSources.Default), (facts.AngularRateUnit, facts.AngularRateSource));
        Assert.Equal(("km/h", UnitSources.Default), (facts.SpeedUnit, facts.SpeedSource));
        Assert.Equal("ax", facts.Columns["ax"]);
        Assert.Equal(RideFileFormats.Generic, facts.ToQualityEntries()["format"]);
    }

    [Fact]
    public async Task DeviceProfile_StatingMph_ConvertsTheMappedSpeed()
    {
        var profile = new DeviceProfile { Name = "mph logger", Columns = new Dictionary<string, string> { ["speed"] = "v" }, Speed = SpeedUnit.MilesPerHour };
        var csv = "timestamp,ax,ay,az,gx,gy,gz,v\n0.00,0,0,9.81,0,0,0,10\n0.01,0,0,9.81,0,0,0,10\n";

        var (summary, sink) = await ReadAsync(csv, profile);

        Assert.Null(summary.Rejection);
        Assert.Equal(16.09344, sink.Samples[0].Speed, 6);
        Assert.Equal(("mph", UnitSources.Profile), (summary.Facts!.SpeedUnit, summary.Facts.SpeedSource));
    }

    [Fact]
    public async Task EventLoggerRows_SharingAMillisecond_AreSkippedAndCounted_ButDoNotRefuseTheFile()
    {
        // An Android event logger: one row per sensor event at ~550 rows/s with millisecond times; half the rows repeat
        // the previous row's millisecond, and now and then one arrives 20 ms late (backwards).
        var csv = new StringBuilder("timestamp, accx, accy, accz, gyrox, gyroy, gyroz, speedgps, latgps, longps\n");
        var rows = 0;
        for (var ms = 0; ms < 1000; ms++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{153_688_556 + ms},0.1,0.2,9.8,0.01,0.02,0.03,0,0,0\n");
            csv.Append(CultureInfo.InvariantCulture, $"{153_688_556 + ms},0.1,0.2,9.8,0.01,0.02,0.03,0,0,0\n");
            rows += 2;
            if (ms % 200 == 199)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{153_688_556 + ms - 20},0.1,0.2,9.8,0.01,0.02,0.03,0,0,0\n");
                rows++;
            }
        }

        var (summary, sink) = await ReadAsync(csv.ToString());

        Assert.Null(summary.Rejection);
        Assert.Equal(1000, summary.Samples);
        Assert.Equal(rows - 1000, summary.RowsSkipped);
        Assert.Equal(0.001, sink.Samples[1].T, 9);
        Assert.True(double.IsNaN(sink.Samples[0].Lat)); // 0°/0° is no fix
        Assert.True(double.IsNaN(sink.Samples[0].Speed)); // and its speed a placeholder
        Assert.Equal("latgps", summary.Facts!.Columns["lat"]);
        Assert.Contains(summary.Facts.Notes, n => n.StartsWith("1,000 rows repeated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RowsGoingBackwards_AboveFivePercent_StillRefuseTheFile()
    {
        var csv = new StringBuilder("timestamp,ax,ay,az,gx,gy,gz\n");
        for (var i = 0; i < 100; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i * 0.01 - (i % 10 == 9 ? 0.5 : 0):F2},0,0,9.81,0,0,0\n");
        }

        var (summary, _) = await ReadAsync(csv.ToString());

        Assert.Equal(RideRejectionCodes.TimestampsNotIncreasing, summary.Rejection?.Code);
    }

    /// <summary>A 30 s ride at 10 m/s and 20 Hz, north for 10 s, a 90° right-hand turn over 10 s, east for 10 s; yaw written at <paramref name="yawRate"/> during the turn.</summary>
    private static string TurningRide(string gyroHeader, double yawRate)
    {
        var csv = new StringBuilder($"t,ax,ay,az,{gyroHeader},lat,lon\n");
        const double metresPerDegree = 111_195;
        double north = 0, east = 0;
        for (var i = 0; i < 600; i++)
        {
            var t = i * 0.05;
            var turning = t is >= 10 and < 20;
            var heading = t < 10 ? 0 : t < 20 ? (t - 10) / 10 * Math.PI / 2 : Math.PI / 2;
            north += 10 * 0.05 * Math.Cos(heading);
            east += 10 * 0.05 * Math.Sin(heading);
            var lat = 48 + north / metresPerDegree;
            var lon = 11 + east / (metresPerDegree * Math.Cos(48 * Math.PI / 180));
            csv.Append(CultureInfo.InvariantCulture, $"{t:F2},0.1,0,9.81,0,0,{(turning ? yawRate : 0)},{lat:F7},{lon:F7}\n");
        }

        return csv.ToString();
    }
}
