using System.Globalization;
using Portal.Core.Simulation;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// <c>simulate --scenario city|country|track|crash-lowside|crash-highside|drop [--duration S] [--rate HZ] [--seed N]
/// [--time iso|epochms|relative] [--units ms2|g] [--gps-rate HZ] [--gps-gaps repeated|empty] [--aliases] [--shuffle]
/// [--extra-columns] [--gzip] [--size-mb MB] --out FILE [--truth FILE]</c>: writes a simulated ride file and its ground truth.
/// </summary>
public static class SimulateCommand
{
    public const string Usage =
        "simulate --scenario city|country|track|crash-lowside|crash-highside|drop [--duration 600] [--rate 100] [--seed 1] " +
        "[--time iso|epochms|relative] [--units ms2|g] [--gps-rate 5] [--gps-gaps repeated|empty] [--aliases] [--shuffle] " +
        "[--extra-columns] [--no-speed] [--mount ROLL,PITCH,YAW] [--gps-scatter M] [--gps-jumps N] [--gps-dropouts N] " +
        "[--gyro-bias DPS] [--gyro-drift DPS_PER_MIN] [--accel-range 2|4|8|16] [--jitter FRACTION] [--speed-unit kmh|mph|ms] " +
        "[--gzip] [--size-mb 250] --out FILE [--truth FILE]";

    /// <summary>Smallest bytes per row of any layout, so a duration derived from --size-mb always yields enough rows.</summary>
    private const double MinimumBytesPerRow = 80;

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        SimulationOptions options;
        string output;
        string? truthPath;
        bool gzip;
        long? maxBytes;
        try
        {
            var parsed = CommandArguments.Parse(args.Span, flags: ["gzip", "aliases", "shuffle", "extra-columns", "no-speed"]);
            (options, output, truthPath, gzip, maxBytes) = Build(parsed);
            options.Validate();
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"{e.Message}\nUsage: {Usage}");
            return 2;
        }

        RideGroundTruth truth;
        long fileBytes;
        await using (var file = output == "-" ? Console.OpenStandardOutput() : File.Create(output))
        {
            truth = await SimulatedRideCsvWriter.WriteAsync(file, options, gzip, maxBytes, cancellationToken);
            fileBytes = output == "-" ? 0 : file.Length;
        }

        if (truthPath is not null)
        {
            await File.WriteAllTextAsync(truthPath, truth.ToJson(), cancellationToken);
        }

        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {output} ({fileBytes / 1e6:F1} MB, {truth.Samples:N0} samples, {truth.DurationS:F0} s, {truth.Scenario}){(truthPath is null ? "" : $" and the ground truth to {truthPath}")}."));
        return 0;
    }

    private static (SimulationOptions Options, string Output, string? Truth, bool Gzip, long? MaxBytes) Build(CommandArguments parsed)
    {
        var scenario = parsed.Get("scenario") switch
        {
            null or "city" => RideScenario.City,
            "country" => RideScenario.Country,
            "track" => RideScenario.Track,
            "crash-lowside" => RideScenario.CrashLowside,
            "crash-highside" => RideScenario.CrashHighside,
            "drop" => RideScenario.Drop,
            var other => throw new ArgumentException($"--scenario '{other}' is not one of city, country, track, crash-lowside, crash-highside, drop."),
        };
        var rate = parsed.GetDouble("rate") ?? 100;
        long? maxBytes = parsed.GetDouble("size-mb") is { } megabytes ? (long)(megabytes * 1_000_000) : null;
        var duration = parsed.GetDouble("duration") ?? (maxBytes is { } bytes ? bytes / MinimumBytesPerRow / rate : 600);
        var options = new SimulationOptions
        {
            Scenario = scenario,
            DurationSeconds = duration,
            RateHz = rate,
            Seed = (int)(parsed.GetDouble("seed") ?? 1),
            GpsRateHz = parsed.GetDouble("gps-rate") ?? 5,
            GpsGaps = parsed.Get("gps-gaps") switch
            {
                null or "repeated" => GpsGapStyle.Repeated,
                "empty" => GpsGapStyle.Empty,
                var other => throw new ArgumentException($"--gps-gaps '{other}' is not one of repeated, empty."),
            },
            TimeFormat = parsed.Get("time") switch
            {
                null or "iso" => SimulatedTimeFormat.Iso,
                "epochms" => SimulatedTimeFormat.EpochMilliseconds,
                "relative" => SimulatedTimeFormat.RelativeSeconds,
                var other => throw new ArgumentException($"--time '{other}' is not one of iso, epochms, relative."),
            },
            AccelerationUnit = parsed.Get("units") switch
            {
                null or "ms2" => SimulatedAccelerationUnit.MetersPerSecondSquared,
                "g" => SimulatedAccelerationUnit.G,
                var other => throw new ArgumentException($"--units '{other}' is not one of ms2, g."),
            },
            ColumnNames = parsed.Has("aliases") ? SimulatedColumnNames.Aliases : SimulatedColumnNames.Canonical,
            ShuffleColumns = parsed.Has("shuffle"),
            ExtraColumns = parsed.Has("extra-columns"),
            IncludeSpeed = !parsed.Has("no-speed"),
            GpsScatterM = parsed.GetDouble("gps-scatter") ?? 0,
            GpsJumps = (int)(parsed.GetDouble("gps-jumps") ?? 0),
            GpsDropouts = (int)(parsed.GetDouble("gps-dropouts") ?? 0),
            GyroBiasDps = parsed.GetDouble("gyro-bias") ?? 0,
            GyroDriftDpsPerMinute = parsed.GetDouble("gyro-drift") ?? 0,
            AccelerometerRangeG = parsed.GetDouble("accel-range"),
            TimestampJitter = parsed.GetDouble("jitter") ?? 0,
            SpeedColumnUnit = parsed.Get("speed-unit") switch
            {
                null or "kmh" => SimulatedSpeedUnit.KilometersPerHour,
                "mph" => SimulatedSpeedUnit.MilesPerHour,
                "ms" => SimulatedSpeedUnit.MetersPerSecond,
                var other => throw new ArgumentException($"--speed-unit '{other}' is not one of kmh, mph, ms."),
            },
        };
        if (parsed.Get("mount") is { } mount)
        {
            var parts = mount.Split(',');
            if (parts.Length != 3 || !parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                throw new ArgumentException($"--mount '{mount}' is not ROLL,PITCH,YAW in degrees (e.g. 8,25,-170).");
            }

            var angles = parts.Select(p => double.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
            options = options with { MountRollDeg = angles[0], MountPitchDeg = angles[1], MountYawDeg = angles[2] };
        }

        var output = parsed.Get("out") ?? throw new ArgumentException("--out FILE is required ('-' writes to standard output).");
        return (options, output, parsed.Get("truth"), parsed.Has("gzip"), maxBytes);
    }
}
