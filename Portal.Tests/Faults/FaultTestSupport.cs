using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Hosting;
using Portal.Core.Storage;
using Portal.Tests.Live;
using Portal.Tests.Scale;

namespace Portal.Tests.Faults;

/// <summary>What one upload request came back with.</summary>
public sealed record UploadOutcome(HttpStatusCode Status, Guid? RideId, bool Duplicate, string? Code, string? RetryAfter, string Body)
{
    public bool Accepted => Status == HttpStatusCode.Created && RideId is not null && !Duplicate;

    public override string ToString() => $"{(int)Status} {Code} Retry-After={RetryAfter} {Body}";
}

/// <summary>The HTTP calls the fault tests make, with the answers reduced to what they assert on.</summary>
public static class FaultClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Sha256Hex(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static async Task<string> LoginAsync(HttpClient client, string email, string password)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
        return body.GetProperty("accessToken").GetString()!;
    }

    public static void UseBearer(HttpClient client, string token) =>
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    /// <summary>POST /api/rides with the file as the raw body.</summary>
    public static async Task<UploadOutcome> PostRawAsync(HttpClient client, byte[] content, string fileName, CancellationToken cancellationToken = default)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await client.PostAsync($"/api/rides?fileName={Uri.EscapeDataString(fileName)}", body, cancellationToken);
        return await OutcomeAsync(response);
    }

    /// <summary>POST /api/rides as a form with one file.</summary>
    public static async Task<UploadOutcome> PostMultipartAsync(HttpClient client, byte[] content, string fileName)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        using var response = await client.PostAsync("/api/rides", form);
        return await OutcomeAsync(response);
    }

    /// <summary>POST /api/uploads: a resumable session for a file of this size; returns its id.</summary>
    public static async Task<Guid> CreateSessionAsync(HttpClient client, string fileName, long size)
    {
        using var response = await client.PostAsJsonAsync("/api/uploads", new { fileName, size });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetGuid();
    }

    public static async Task<UploadOutcome> PutPartAsync(HttpClient client, Guid session, int number, ReadOnlyMemory<byte> part)
    {
        using var body = new ByteArrayContent(part.ToArray());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.PutAsync($"/api/uploads/{session}/parts/{number}", body);
        return await OutcomeAsync(response);
    }

    public static async Task<UploadOutcome> CompleteSessionAsync(HttpClient client, Guid session)
    {
        using var response = await client.PostAsync($"/api/uploads/{session}/complete", content: null);
        return await OutcomeAsync(response);
    }

    /// <summary>GET /api/uploads/{id}: (offset, nextPart) — where to resume.</summary>
    public static async Task<(long Offset, int NextPart)> SessionStateAsync(HttpClient client, Guid session)
    {
        var state = await client.GetFromJsonAsync<JsonElement>($"/api/uploads/{session}", Json);
        return (state.GetProperty("offset").GetInt64(), state.GetProperty("nextPart").GetInt32());
    }

    /// <summary>A clean refusal for an outage: 503, Retry-After in seconds, ProblemDetails with the given code.</summary>
    public static void AssertUnavailable(UploadOutcome outcome, string code)
    {
        Assert.True(outcome.Status == HttpStatusCode.ServiceUnavailable, $"Expected 503 {code}, got {outcome}");
        Assert.Equal(code, outcome.Code);
        Assert.True(int.TryParse(outcome.RetryAfter, out var seconds) && seconds > 0, $"Retry-After was '{outcome.RetryAfter}'.");
    }

    private static async Task<UploadOutcome> OutcomeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Guid? ride = null;
        var duplicate = false;
        string? code = null;
        if (text.StartsWith('{'))
        {
            var json = JsonDocument.Parse(text).RootElement;
            if (json.TryGetProperty("ride", out var rideElement) && rideElement.ValueKind == JsonValueKind.Object)
            {
                ride = rideElement.GetProperty("id").GetGuid();
                duplicate = json.TryGetProperty("duplicate", out var dup) && dup.GetBoolean();
            }
            else if (json.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array && items.GetArrayLength() == 1
                && items[0].TryGetProperty("ride", out var itemRide) && itemRide.ValueKind == JsonValueKind.Object)
            {
                ride = itemRide.GetProperty("id").GetGuid();
                duplicate = items[0].GetProperty("duplicate").GetBoolean();
            }

            if (json.TryGetProperty(ApiErrors.CodeKey, out var codeElement))
            {
                code = codeElement.GetString();
            }
        }

        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta
            ? ((int)delta.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;
        return new UploadOutcome(response.StatusCode, ride, duplicate, code, retryAfter, text.Length > 400 ? text[..400] : text);
    }

    /// <summary>Waits for a condition with a deadline; the condition may throw while a server is coming back (then it counts as false).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan patience, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (ServiceUnavailableExceptionHandler.CodeFor(e) is not null)
            {
                last = e;
            }

            if (clock.Elapsed > patience)
            {
                Assert.Fail($"Timed out after {patience}: {describe()}{(last is null ? "" : $"\nLast outage error: {last.Message}")}");
            }

            await Task.Delay(250);
        }
    }
}

/// <summary>
/// A look inside one installation from the outside: its catalog and its object storage, built from the same
/// configuration keys the portal and workers get (optionally pointing past a fault proxy at the real server).
/// </summary>
public sealed class InstallationInspector : IAsyncDisposable
{
    private readonly IHost host;

    private InstallationInspector(IHost host) => this.host = host;

    public IObjectStorage Storage => host.Services.GetRequiredService<IObjectStorage>();

    /// <param name="settings">Configuration keys in either form (<c>Storage:Provider</c> or <c>Storage__Provider</c>).</param>
    public static InstallationInspector Create(IReadOnlyDictionary<string, string> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = settings.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value, StringComparer.OrdinalIgnoreCase);
        // Never the installation's own data directory: the inspector only reads.
        configuration["Embedded:DataDir"] = Path.Combine(Path.GetTempPath(), "portal-tests", $"inspector-{Guid.NewGuid():N}");
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddCatalog();
        builder.AddObjectStorage();
        return new InstallationInspector(builder.Build());
    }

    public async Task<T> WithCatalogAsync<T>(Func<CatalogDbContext, Task<T>> query)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CatalogDbContext>());
    }

    public Task<List<Ride>> RidesAsync() => WithCatalogAsync(db => db.Rides.AsNoTracking().ToListAsync());

    /// <summary>The SHA-256 of the object's content as the portal reads it back (decrypted), or null when it does not exist.</summary>
    public async Task<string?> Sha256OfAsync(BucketKind bucket, string key)
    {
        try
        {
            await using var stream = await Storage.OpenReadAsync(bucket, key, CancellationToken.None);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    public async Task<List<string>> KeysAsync(BucketKind bucket)
    {
        var keys = new List<string>();
        await foreach (var stored in Storage.ListAsync(bucket, "", CancellationToken.None))
        {
            keys.Add(stored.Key);
        }

        return keys;
    }

    public ValueTask DisposeAsync()
    {
        host.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The built portal (<c>dotnet Portal.dll</c>) as a child process on a free loopback port, configured by environment variables.</summary>
public sealed class PortalProcess : IDisposable
{
    private readonly WorkerProcess process;

    private PortalProcess(WorkerProcess process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<PortalProcess> StartAsync(string name, IReadOnlyDictionary<string, string> environment, TimeSpan patience)
    {
        var port = LiveTestPorts.FreeLoopbackPort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var settings = new Dictionary<string, string>(environment)
        {
            ["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        var portal = new PortalProcess(WorkerProcess.Start(name, PortalArguments(), settings), address);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(portal.process.HasExited, $"The portal exited while starting.\n{portal.Describe()}");
            try
            {
                using var response = await http.GetAsync("/health/live");
                if (response.IsSuccessStatusCode)
                {
                    return portal;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > patience)
            {
                portal.Dispose();
                Assert.Fail($"The portal did not answer /health/live within {patience}.\n{portal.Describe()}");
            }

            await Task.Delay(200);
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>SIGKILL: no shutdown, nothing flushed, requests cut mid-way — a lost machine.</summary>
    public void KillHard() => process.KillHard();

    public string Describe() => process.Describe();

    public void Dispose() => process.Dispose();

    /// <summary><c>Portal.dll</c> from the Portal project's own output of this configuration, as production runs it.</summary>
    private static IReadOnlyList<string> PortalArguments()
    {
        var here = AppContext.BaseDirectory;
        var separator = Path.DirectorySeparatorChar;
        var projectOutput = Path.Combine(here.Replace($"{separator}Portal.Tests{separator}", $"{separator}Portal{separator}", StringComparison.Ordinal), "Portal.dll");
        return File.Exists(projectOutput)
            ? [projectOutput]
            : throw new InvalidOperationException($"Portal.dll was not found at {projectOutput}: build the solution first.");
    }
}
