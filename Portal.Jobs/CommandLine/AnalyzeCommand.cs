using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Metrics;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// <c>analyze FILE [--profile NAME|PROFILE.json]</c>: analyses one ride file (CSV or .csv.gz) locally
/// and prints its metrics JSON on stdout. A refused file exits with <see cref="ExitRejected"/> and
/// "code: reason" on stderr. A profile is a DeviceProfile JSON file, given by path or by NAME
/// (looked up as profiles/NAME.json, then NAME.json, in the current directory).
/// </summary>
public static class AnalyzeCommand
{
    public const int ExitOk = 0;
    public const int ExitRejected = 1;
    public const int ExitUsage = 2;
    public const int ExitNotFound = 3;

    public const string Usage = "Usage: analyze FILE [--profile NAME|PROFILE.json]";

    private static readonly JsonSerializerOptions ProfileJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        string? file = null;
        string? profileArgument = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args.Span[i];
            if (arg is "--profile" or "-p")
            {
                if (i + 1 >= args.Length)
                {
                    await stderr.WriteLineAsync($"--profile needs a profile name or JSON file. {Usage}");
                    return ExitUsage;
                }

                profileArgument = args.Span[++i];
            }
            else if (arg.StartsWith('-') || file is not null)
            {
                await stderr.WriteLineAsync($"Unexpected argument '{arg}'. {Usage}");
                return ExitUsage;
            }
            else
            {
                file = arg;
            }
        }

        if (file is null)
        {
            await stderr.WriteLineAsync(Usage);
            return ExitUsage;
        }

        if (!File.Exists(file))
        {
            await stderr.WriteLineAsync($"file_not_found: '{file}' does not exist.");
            return ExitNotFound;
        }

        DeviceProfile? profile = null;
        if (profileArgument is not null)
        {
            var (loaded, error) = await LoadProfileAsync(profileArgument, cancellationToken);
            if (loaded is null)
            {
                await stderr.WriteLineAsync(error);
                return error!.StartsWith("profile_not_found", StringComparison.Ordinal) ? ExitNotFound : ExitUsage;
            }

            profile = loaded;
        }

        RideAnalysis analysis;
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan))
        {
            analysis = await new RideAnalyzer().AnalyzeAsync(stream, profile, progress: null, cancellationToken);
        }

        if (analysis.Rejection is { } rejection)
        {
            await stderr.WriteLineAsync($"{rejection.Code}: {rejection.Message}");
            return ExitRejected;
        }

        await stdout.WriteLineAsync(RideMetricsSerializer.ToJson(analysis.Metrics!));
        if (analysis.Crash is { } crash)
        {
            // The explanation is for people; stdout stays pure JSON for scripts.
            await stderr.WriteLineAsync($"crash ({crash.Kind}): {crash.Explanation}");
        }

        return ExitOk;
    }

    private static async Task<(DeviceProfile? Profile, string? Error)> LoadProfileAsync(string argument, CancellationToken cancellationToken)
    {
        string? path = null;
        foreach (var candidate in new[] { argument, Path.Combine("profiles", argument + ".json"), argument + ".json" })
        {
            if (File.Exists(candidate))
            {
                path = candidate;
                break;
            }
        }

        if (path is null)
        {
            return (null, $"profile_not_found: no profile file '{argument}' (nor profiles/{argument}.json).");
        }

        try
        {
            await using var json = File.OpenRead(path);
            var profile = await JsonSerializer.DeserializeAsync<DeviceProfile>(json, ProfileJson, cancellationToken);
            return profile is null
                ? (null, $"invalid_profile: '{path}' holds no profile.")
                : (profile, null);
        }
        catch (JsonException ex)
        {
            return (null, $"invalid_profile: '{path}' is not a device profile JSON ({ex.Message}).");
        }
    }
}
