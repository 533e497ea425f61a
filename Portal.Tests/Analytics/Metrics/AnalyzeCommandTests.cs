using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Analytics;
using Portal.Jobs.CommandLine;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Analytics.Metrics;

/// <summary><c>analyze FILE [--profile …]</c> as R&amp;D and scripts use it, and the DI registration behind it.</summary>
[Trait("Category", "Analytics")]
public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("analyze-command-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await JobsCommandLine.RunAsync(["analyze", .. args], stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Analyze_PrintsTheMetricsJson_ForASampleRide()
    {
        var (exit, output, _) = await RunAsync(Path.Combine(TestServices.SamplesDir, "city-iso-100hz.csv"));

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(23068, json.RootElement.GetProperty("samples").GetInt64());
        Assert.True(json.RootElement.GetProperty("distance_km").GetDouble() > 0);
        Assert.False(json.RootElement.GetProperty("crash_detected").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("crash_time_s").ValueKind);
    }

    [Fact]
    public async Task Analyze_ExitsNonZero_WithTheCodeAndReasonOnStderr_ForARejectedFile()
    {
        var empty = Path.Combine(_dir, "empty.csv");
        await File.WriteAllTextAsync(empty, "");

        var (exit, output, error) = await RunAsync(empty);

        Assert.Equal(AnalyzeCommand.ExitRejected, exit);
        Assert.Equal("", output);
        Assert.StartsWith("empty_file: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyze_ReadsAnUnguessableLayout_WithADeviceProfileFile()
    {
        var ride = Path.Combine(_dir, "odd-device.csv");
        var rows = new List<string> { "zeit,b1,b2,b3,w1,w2,w3,tempo" };
        for (var i = 0; i < 500; i++)
        {
            rows.Add(FormattableString.Invariant($"{i * 0.02:0.00},0.1,0.0,9.81,0.0,0.0,0.0,{Math.Min(i, 300) * 0.1:0.0}"));
        }

        await File.WriteAllLinesAsync(ride, rows);
        var profile = Path.Combine(_dir, "odd.json");
        await File.WriteAllTextAsync(profile, """
            {
              "name": "odd device",
              "columns": { "timestamp": "zeit", "ax": "b1", "ay": "b2", "az": "b3", "gx": "w1", "gy": "w2", "gz": "w3", "speed": "tempo" },
              "acceleration": "MetersPerSecondSquared",
              "speed": "MetersPerSecond",
              "time": "RelativeSeconds"
            }
            """);

        var withoutProfile = await RunAsync(ride);
        var withProfile = await RunAsync(ride, "--profile", profile);

        Assert.NotEqual(0, withoutProfile.Exit);
        Assert.Equal(0, withProfile.Exit);
        using var json = JsonDocument.Parse(withProfile.Out);
        Assert.InRange(json.RootElement.GetProperty("max_speed_kmh").GetDouble(), 30 * 3.6 * 0.99, 30 * 3.6 * 1.01);
    }

    [Fact]
    public async Task Analyze_ExplainsUsage_WhenTheFileIsMissingOrUnknown()
    {
        var noFile = await RunAsync();
        var missing = await RunAsync(Path.Combine(_dir, "nope.csv"));
        var badProfile = await RunAsync(Path.Combine(TestServices.SamplesDir, "city-iso-100hz.csv"), "--profile", "no-such-profile");

        Assert.Equal(AnalyzeCommand.ExitUsage, noFile.Exit);
        Assert.Contains("Usage: analyze FILE", noFile.Err, StringComparison.Ordinal);
        Assert.Equal(AnalyzeCommand.ExitNotFound, missing.Exit);
        Assert.StartsWith("file_not_found", missing.Err, StringComparison.Ordinal);
        Assert.Equal(AnalyzeCommand.ExitNotFound, badProfile.Exit);
        Assert.StartsWith("profile_not_found", badProfile.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddRideAnalytics_RegistersAnAnalyzerThatReadsRideStreams()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddRideAnalytics();
        using var host = builder.Build();

        var analyzer = host.Services.GetRequiredService<IRideAnalyzer>();
        await using var file = File.OpenRead(Path.Combine(TestServices.SamplesDir, "crash-lowside-iso-100hz.csv"));
        var analysis = await analyzer.AnalyzeAsync(file, profile: null, progress: null, CancellationToken.None);

        Assert.IsType<RideAnalyzer>(analyzer);
        Assert.True(analysis.Metrics!.CrashDetected);
        Assert.Equal("lowside", analysis.Crash!.Kind);
    }
}
