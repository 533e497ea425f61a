using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// <c>upload DIR --server URL --token T [--rider ID] [--part-size MB] [--state FILE]</c>: pushes a folder of
/// archived ride files (*.csv, *.csv.gz, e.g. from an on-premise NAS) through the resumable upload API with a
/// progress bar. Files already uploaded are skipped (SHA-256 asked of the server); an interrupted file resumes
/// at its first missing part (the session id is kept in a small state file). One bad file never stops the others.
/// </summary>
public static class UploadCommand
{
    public const string DefaultStateFileName = ".ride-upload-state.json";
    private const int DefaultPartSizeMb = 8;
    private const int Attempts = 5;

    /// <summary>First retry delay, doubled per attempt (tests shorten it).</summary>
    internal static TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(ReadOnlyMemory<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, HttpMessageHandler? handler = null)
    {
        if (!TryParse(args.Span, out var options, out var error))
        {
            await stderr.WriteLineAsync(error);
            await stderr.WriteLineAsync("Usage: upload DIR --server URL --token TOKEN [--rider RIDER_ID] [--part-size MB] [--state FILE]");
            return 2;
        }

        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = options.Server;
        http.Timeout = TimeSpan.FromMinutes(10);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);

        var state = await UploadState.LoadAsync(options.StateFile, cancellationToken);
        var files = Directory.EnumerateFiles(options.Directory, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        await stdout.WriteLineAsync($"{files.Count} ride files in {options.Directory}");

        int uploaded = 0, skipped = 0, failed = 0;
        foreach (var path in files)
        {
            var relative = Path.GetRelativePath(options.Directory, path);
            try
            {
                var outcome = await UploadFileAsync(http, options, state, path, relative, stdout, cancellationToken);
                if (outcome == FileOutcome.Uploaded)
                {
                    uploaded++;
                }
                else
                {
                    skipped++;
                }
            }
            catch (Exception failure) when (failure is HttpRequestException or IOException or UploadCommandException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failed++;
                await stdout.WriteLineAsync();
                await stderr.WriteLineAsync($"  {relative}: {failure.Message}");
            }
            finally
            {
                await state.SaveAsync(options.StateFile, cancellationToken);
            }
        }

        await stdout.WriteLineAsync($"Done: {uploaded} uploaded, {skipped} already uploaded, {failed} failed.");
        return failed == 0 ? 0 : 1;
    }

    private enum FileOutcome { Uploaded, AlreadyUploaded }

    private static async Task<FileOutcome> UploadFileAsync(
        HttpClient http, UploadOptions options, UploadState state, string path, string relative, TextWriter stdout, CancellationToken cancellationToken)
    {
        var size = new FileInfo(path).Length;
        var sha256 = await HashAsync(path, cancellationToken);
        var entry = state.Files.TryGetValue(relative, out var known) && known.Sha256 == sha256 ? known : new UploadStateEntry { Sha256 = sha256 };
        state.Files[relative] = entry;

        entry.RideId ??= await FindRideAsync(http, sha256, options.Rider, cancellationToken);
        if (entry.RideId is not null)
        {
            await stdout.WriteLineAsync($"  {relative}: already uploaded (ride {entry.RideId})");
            return FileOutcome.AlreadyUploaded;
        }

        var session = entry.SessionId is { } sessionId ? await GetSessionAsync(http, sessionId, cancellationToken) : null;
        if (session is null || session.Status != "Open" || entry.PartSize <= 0)
        {
            session = await CreateSessionAsync(http, relative, size, options.Rider, cancellationToken);
            entry.SessionId = session.Id;
            entry.PartSize = Math.Min(options.PartSizeBytes, session.MaxPartBytes);
            await state.SaveAsync(options.StateFile, cancellationToken);
        }

        var partSize = entry.PartSize;
        var partCount = (int)Math.Max(1, (size + partSize - 1) / partSize);
        var present = session.Parts.ToHashSet();
        var sent = present.Where(n => n < partCount).Sum(n => PartLength(n, partSize, size));
        var resumedFrom = sent;
        var clock = Stopwatch.StartNew();
        Progress(stdout, relative, sent, size, 0);
        var buffer = new byte[partSize];
        await using (var file = File.OpenRead(path))
        {
            for (var number = 0; number < partCount; number++)
            {
                if (present.Contains(number))
                {
                    continue;
                }

                var length = (int)PartLength(number, partSize, size);
                file.Seek(number * partSize, SeekOrigin.Begin);
                await file.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
                await SendWithRetriesAsync(http, HttpMethod.Put, $"api/uploads/{session.Id}/parts/{number}", () => new ByteArrayContent(buffer, 0, length), cancellationToken);
                sent += length;
                Progress(stdout, relative, sent, size, (sent - resumedFrom) / Math.Max(clock.Elapsed.TotalSeconds, 0.001));
            }
        }

        using var completed = await SendWithRetriesAsync(http, HttpMethod.Post, $"api/uploads/{session.Id}/complete", () => null, cancellationToken);
        var ride = (await completed.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        entry.RideId = ride["ride"]?["id"]?.GetValue<Guid>();
        entry.SessionId = null;
        var duplicate = ride["duplicate"]?.GetValue<bool>() == true;
        await stdout.WriteLineAsync(resumedFrom > 0
            ? $"  resumed at {resumedFrom} bytes; ride {entry.RideId}{(duplicate ? " (same file already uploaded)" : "")}"
            : $"  ride {entry.RideId}{(duplicate ? " (same file already uploaded)" : "")}");
        return FileOutcome.Uploaded;
    }

    private static long PartLength(int number, long partSize, long size) => Math.Max(0, Math.Min(partSize, size - (number * partSize)));

    private static void Progress(TextWriter stdout, string name, long sent, long size, double bytesPerSecond)
    {
        const int width = 30;
        var fraction = size == 0 ? 1 : (double)sent / size;
        var filled = (int)Math.Round(fraction * width);
        stdout.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r  {name} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:0.0}% {bytesPerSecond / (1 << 20),6:0.0} MB/s"));
        if (sent >= size)
        {
            stdout.WriteLine();
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }

    private static async Task<Guid?> FindRideAsync(HttpClient http, string sha256, Guid? rider, CancellationToken cancellationToken)
    {
        var query = $"api/rides?sha256={sha256}&pageSize=1" + (rider is { } id ? $"&rider={id}" : "");
        using var response = await SendWithRetriesAsync(http, HttpMethod.Get, query, () => null, cancellationToken);
        var page = (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!;
        return page["items"]?.AsArray().FirstOrDefault()?["id"]?.GetValue<Guid>();
    }

    private sealed record SessionInfo(Guid Id, string Status, long MaxPartBytes, IReadOnlyList<int> Parts);

    private static async Task<SessionInfo> CreateSessionAsync(HttpClient http, string fileName, long size, Guid? rider, CancellationToken cancellationToken)
    {
        using var response = await SendWithRetriesAsync(http, HttpMethod.Post, "api/uploads",
            () => JsonContent.Create(new { fileName = Path.GetFileName(fileName), size, riderId = rider, source = "Bulk" }), cancellationToken);
        return ReadSession((await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!);
    }

    private static async Task<SessionInfo?> GetSessionAsync(HttpClient http, Guid sessionId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"api/uploads/{sessionId}", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return ReadSession((await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!);
    }

    /// <summary>Reads the session whether the server writes enums as names or numbers.</summary>
    private static SessionInfo ReadSession(JsonObject session)
    {
        var status = session["status"] switch
        {
            JsonValue value when value.TryGetValue<string>(out var name) => name,
            JsonValue value when value.TryGetValue<int>(out var number) => number switch { 0 => "Open", 1 => "Completed", _ => "Abandoned" },
            _ => "Unknown",
        };
        return new SessionInfo(
            session["id"]!.GetValue<Guid>(),
            status,
            session["maxPartBytes"]?.GetValue<long>() ?? long.MaxValue,
            session["parts"]?.AsArray().Select(p => p!.GetValue<int>()).ToList() ?? []);
    }

    /// <summary>Retries dropped connections and server hiccups with backoff; a refusal (4xx) is reported at once.</summary>
    private static async Task<HttpResponseMessage> SendWithRetriesAsync(
        HttpClient http, HttpMethod method, string path, Func<HttpContent?> content, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content() };
                var response = await http.SendAsync(request, cancellationToken);
                if ((int)response.StatusCode < 500 || attempt >= Attempts)
                {
                    await EnsureSuccessAsync(response, cancellationToken);
                    return response;
                }

                response.Dispose();
            }
            catch (HttpRequestException) when (attempt < Attempts)
            {
            }

            await Task.Delay(RetryBaseDelay * Math.Min(30, Math.Pow(2, attempt - 1)), cancellationToken);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        try
        {
            var problem = JsonNode.Parse(body);
            detail = $"{problem?["code"]}: {problem?["detail"] ?? problem?["title"]}";
        }
        catch (JsonException)
        {
        }

        response.Dispose();
        throw new UploadCommandException($"the server answered {(int)response.StatusCode} ({detail ?? response.ReasonPhrase})");
    }

    private sealed record UploadOptions(string Directory, Uri Server, string Token, Guid? Rider, long PartSizeBytes, string StateFile);

    private static bool TryParse(ReadOnlySpan<string> args, out UploadOptions options, out string error)
    {
        options = null!;
        string? directory = null, server = null, token = null, rider = null, state = null;
        var partSizeMb = DefaultPartSizeMb;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    error = $"{arg} needs a value.";
                    return false;
                }

                var value = args[++i];
                switch (arg)
                {
                    case "--server": server = value; break;
                    case "--token": token = value; break;
                    case "--rider": rider = value; break;
                    case "--state": state = value; break;
                    case "--part-size" when int.TryParse(value, CultureInfo.InvariantCulture, out var mb) && mb is >= 1 and <= 1024: partSizeMb = mb; break;
                    case "--part-size":
                        error = "--part-size is a number of MB from 1 to 1024.";
                        return false;
                    default:
                        error = $"Unknown option {arg}.";
                        return false;
                }
            }
            else if (directory is null)
            {
                directory = arg;
            }
            else
            {
                error = $"Unexpected argument '{arg}'.";
                return false;
            }
        }

        if (directory is null || !Directory.Exists(directory))
        {
            error = directory is null ? "DIR is required." : $"The folder '{directory}' does not exist.";
            return false;
        }

        if (server is null || !Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var serverUri) || serverUri.Scheme is not ("http" or "https"))
        {
            error = "--server must be the portal's http(s) address.";
            return false;
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            error = "--token is required.";
            return false;
        }

        Guid? riderId = null;
        if (rider is not null)
        {
            if (!Guid.TryParse(rider, out var parsed))
            {
                error = "--rider must be the rider's id (a GUID).";
                return false;
            }

            riderId = parsed;
        }

        options = new UploadOptions(Path.GetFullPath(directory), serverUri, token, riderId, partSizeMb * (1L << 20), state ?? Path.Combine(directory, DefaultStateFileName));
        error = "";
        return true;
    }

    private sealed class UploadState
    {
        public Dictionary<string, UploadStateEntry> Files { get; set; } = new(StringComparer.Ordinal);

        public static async Task<UploadState> LoadAsync(string path, CancellationToken cancellationToken)
        {
            if (!File.Exists(path))
            {
                return new UploadState();
            }

            await using var file = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<UploadState>(file, Json, cancellationToken) ?? new UploadState();
        }

        public async Task SaveAsync(string path, CancellationToken cancellationToken)
        {
            // Write then rename, so a crash mid-write never leaves a broken state file.
            var temporary = path + ".tmp";
            await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(this, Json), cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
    }

    private sealed class UploadStateEntry
    {
        public string Sha256 { get; set; } = "";
        public Guid? SessionId { get; set; }
        public long PartSize { get; set; }
        public Guid? RideId { get; set; }
    }
}

public sealed class UploadCommandException(string message) : Exception(message);
