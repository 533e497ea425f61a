using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Storage;
using static Portal.Tests.Security.SecurityPortal;

namespace Portal.Tests.Security;

/// <summary>Upload names never reach storage paths; oversize bodies are refused early and leave nothing behind.</summary>
[Trait("Category", "Security")]
public sealed class UploadSafetyTests(SecurityPortal portal) : IClassFixture<SecurityPortal>
{
    private static readonly Regex IdOnlyRawKey = new(@"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.csv(\.gz)?$");

    public static readonly TheoryData<string> HostileNames = new()
    {
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "/abs/olute.csv",
        "C:\\rides\\ride.csv",
        "..",
        "ride\u0000.csv",
        "line\r\nbreak\t.csv",
        "\u202Evsc.exe",
        "ünïcödé-🏍️-ライド.csv",
        new string('x', 5000) + ".csv",
        "%2e%2e%2fescaped.csv",
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task HostileFileName_IsKeptOnlyAsCleanMetadata_AndNeverBecomesTheStorageKey(string fileName)
    {
        using var content = new StringContent(portal.UniqueCsv("hostile"), Encoding.UTF8, "text/csv");
        using var response = await portal.Api(RiderA).PostAsync($"/api/rides?fileName={Uri.EscapeDataString(fileName)}", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ride = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ride");
        await AssertStoredSafelyAsync(ride.GetProperty("id").GetGuid());
    }

    /// <summary>Each hostile multipart name with its one outcome: the ride stored under a clean name.</summary>
    public static readonly TheoryData<string, HttpStatusCode> HostileMultipartNames = MultipartOutcomes();

    [Theory]
    [MemberData(nameof(HostileMultipartNames))]
    public async Task HostileMultipartFileName_IsKeptOnlyAsCleanMetadata(string fileName, HttpStatusCode expected)
    {
        using var form = new MultipartFormDataContent();
        var file = new StringContent(portal.UniqueCsv("multipart"), Encoding.UTF8, "text/csv");
        // Set the raw header: the name must reach the server exactly as a hostile client sends it.
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"" + fileName.Replace("\"", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace("\0", "", StringComparison.Ordinal) + "\"" };
        form.Add(file);
        using var response = await portal.Api(RiderA).PostAsync("/api/rides", form);

        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var rides = body.TryGetProperty("items", out var items)
            ? items.EnumerateArray().Select(i => i.GetProperty("ride")).ToList()
            : [body.GetProperty("ride")];
        var ride = Assert.Single(rides);
        Assert.Equal(JsonValueKind.Object, ride.ValueKind);
        AssertCleanName(ride.GetProperty("fileName").GetString()!);
        await AssertStoredSafelyAsync(ride.GetProperty("id").GetGuid());
    }

    private static TheoryData<string, HttpStatusCode> MultipartOutcomes()
    {
        var data = new TheoryData<string, HttpStatusCode>();
        foreach (var name in HostileNames)
        {
            data.Add(name, HttpStatusCode.Created);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task HostileSessionFileName_IsCleanedBeforeAnyPartIsStored(string fileName)
    {
        using var response = await portal.Api(RiderB).PostAsJsonAsync("/api/uploads", new { fileName });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();
        AssertCleanName(session.GetProperty("fileName").GetString()!);
    }

    [Fact]
    public async Task NothingIsWrittenOutsideTheStorageRoot()
    {
        using var content = new StringContent(portal.UniqueCsv("escape"), Encoding.UTF8, "text/csv");
        var marker = $"escape-{Guid.NewGuid():N}";
        using var response = await portal.Api(RiderA).PostAsync($"/api/rides?fileName=../../../{marker}", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var root = new DirectoryInfo(portal.Factory.DataDir).Parent!.FullName;
        Assert.Empty(Directory.EnumerateFiles(root, $"*{marker}*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task DeclaredOversizeBody_Gets413_BeforeTheBodyIsRead()
    {
        var before = await CountRidesAsync(RiderB);
        using var body = new GatedContent(firstChunk: 1024, declaredLength: MaxFileBytes * 8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // The body stops after its first KiB until the response is in: a server that read it would never answer.
        // A bare client: the factory's redirect handler would buffer the whole body before sending.
        using var client = portal.Factory.CreateDefaultClient();
        client.DefaultRequestHeaders.Authorization = portal.Api(RiderB).DefaultRequestHeaders.Authorization;
        using var response = await client.PostAsync("/api/rides?fileName=huge.csv", body, timeout.Token);
        body.Release();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("file_too_large", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.True(body.BytesSent < MaxFileBytes, $"{body.BytesSent} bytes were sent before the refusal");
        Assert.Equal(before, await CountRidesAsync(RiderB));
    }

    [Fact]
    public async Task ChunkedOversizeBody_IsStoppedAtTheLimit_AndLeavesNothingBehind()
    {
        var before = await CountRidesAsync(RiderB);
        var objectsBefore = await CountRawObjectsAsync(RiderB);
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0.0,45.0,9.0,10\n", (int)(MaxFileBytes * 4 / 16))));
        using var content = new StreamContent(new UnknownLengthStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        using var response = await portal.Api(RiderB).PostAsync("/api/rides?fileName=chunked.csv", content);

        Assert.Null(content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("file_too_large", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(before, await CountRidesAsync(RiderB));
        Assert.Equal(objectsBefore, await CountRawObjectsAsync(RiderB));
    }

    [Fact]
    public async Task OversizePart_Gets413_AndTheSessionKeepsNothing()
    {
        var sessionId = await portal.CreateUploadSessionAsync(RiderB);
        using var content = new StreamContent(new UnknownLengthStream(new byte[MaxPartBytes * 3]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await portal.Api(RiderB).PutAsync($"/api/uploads/{sessionId}/parts/0", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var state = await portal.Api(RiderB).GetFromJsonAsync<JsonElement>($"/api/uploads/{sessionId}");
        Assert.Equal(0, state.GetProperty("receivedBytes").GetInt64());
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var storage = scope.ServiceProvider.GetRequiredService<IObjectStorage>();
        Assert.Equal(0, await CountAsync(storage.ListAsync(BucketKind.Raw, Core.Rides.PipelineKeys.UploadPartsPrefix(sessionId), CancellationToken.None)));
    }

    private async Task AssertStoredSafelyAsync(Guid rideId)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var ride = await catalog.Rides.AsNoTracking().SingleAsync(r => r.Id == rideId);
        Assert.Matches(IdOnlyRawKey, ride.RawKey);
        Assert.StartsWith($"{ride.OwnerId:D}/{ride.Id:D}", ride.RawKey, StringComparison.Ordinal);
        AssertCleanName(ride.FileName);
        var storage = scope.ServiceProvider.GetRequiredService<IObjectStorage>();
        Assert.NotNull(await storage.GetInfoAsync(BucketKind.Raw, ride.RawKey, CancellationToken.None));
    }

    private static void AssertCleanName(string name)
    {
        Assert.NotEmpty(name);
        Assert.True(name.Length <= 255, $"name of {name.Length} characters");
        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain('\\', name);
        Assert.DoesNotContain(name, char.IsControl);
        Assert.NotEqual("..", name);
        Assert.NotEqual(".", name);
    }

    private async Task<int> CountRidesAsync(Caller owner)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var ownerId = portal.UserId(owner);
        return await catalog.Rides.CountAsync(r => r.OwnerId == ownerId);
    }

    private async Task<int> CountRawObjectsAsync(Caller owner)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var storage = scope.ServiceProvider.GetRequiredService<IObjectStorage>();
        return await CountAsync(storage.ListAsync(BucketKind.Raw, $"{portal.UserId(owner):D}/", CancellationToken.None));
    }

    private static async Task<int> CountAsync(IAsyncEnumerable<StoredObject> objects)
    {
        var count = 0;
        await foreach (var _ in objects)
        {
            count++;
        }

        return count;
    }

    /// <summary>A body that declares a length, sends its first chunk, then waits until <see cref="Release"/>.</summary>
    private sealed class GatedContent : HttpContent
    {
        private readonly int firstChunk;
        private readonly long declaredLength;
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GatedContent(int firstChunk, long declaredLength)
        {
            this.firstChunk = firstChunk;
            this.declaredLength = declaredLength;
            Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            Headers.ContentLength = declaredLength;
        }

        public long BytesSent { get; private set; }

        public void Release() => released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(new byte[firstChunk]);
            BytesSent += firstChunk;
            await stream.FlushAsync();
            // The rest is never sent: the server must have answered from the declared length alone.
            await released.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = declaredLength;
            return true;
        }
    }

    /// <summary>A readable stream that hides its length, so the client sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
