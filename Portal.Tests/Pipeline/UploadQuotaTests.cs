using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Tests.Pipeline;

/// <summary>The per-rider storage quota (Uploads:UserQuotaBytes), computed from the catalog's stored sizes.</summary>
[Trait("Category", "Pipeline")]
public sealed class UploadQuotaTests(SqliteCatalogDatabase database) : IClassFixture<SqliteCatalogDatabase>, IAsyncLifetime
{
    private const int FileBytes = 30_000;
    private const long Quota = 70_000;
    private PipelineApiHost _host = null!;
    private readonly Guid _rider = Guid.NewGuid();

    public async Task InitializeAsync() => _host = await PipelineApiHost.StartAsync(database, o =>
    {
        o.MaxFileBytes = 64 * 1024;
        o.MaxPartBytes = 16 * 1024;
        o.UserQuotaBytes = Quota;
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task RawUpload_DeclaringMoreThanTheRemainingQuota_Is413QuotaExceeded_AndNothingIsStored()
    {
        using var client = _host.ClientFor(_rider, PortalRoleNames.Rider);
        await UploadAsync(client, seed: 1, HttpStatusCode.Created);
        await UploadAsync(client, seed: 2, HttpStatusCode.Created);
        var stored = _host.Storage.Keys(BucketKind.Raw).Count;

        using var refused = await client.PostAsync("api/rides?fileName=third.csv", Csv(Ride(3)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(UploadErrorCodes.QuotaExceeded, problem["code"]!.GetValue<string>());
        Assert.Equal(Quota, problem["quotaBytes"]!.GetValue<long>());
        Assert.Equal(2L * FileBytes, problem["usedBytes"]!.GetValue<long>());
        Assert.Equal(stored, _host.Storage.Keys(BucketKind.Raw).Count);
    }

    [Fact]
    public async Task ChunkedUpload_ThatWouldExceedTheQuota_Is413_AndItsBytesAreDeletedAgain()
    {
        using var client = _host.ClientFor(_rider, PortalRoleNames.Rider);
        await UploadAsync(client, seed: 4, HttpStatusCode.Created);
        await UploadAsync(client, seed: 5, HttpStatusCode.Created);
        var stored = _host.Storage.Keys(BucketKind.Raw).Count;

        // No Content-Length: the size is known only once the body has been read.
        using var body = new StreamContent(new MemoryStream(Ride(6)));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var refused = await client.PostAsync("api/rides?fileName=chunked.csv", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(UploadErrorCodes.QuotaExceeded, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
        Assert.Equal(stored, _host.Storage.Keys(BucketKind.Raw).Count);
    }

    [Fact]
    public async Task MultipartRequest_DeclaringMoreThanTheQuota_IsRefusedBeforeAByteIsStored()
    {
        using var client = _host.ClientFor(_rider, PortalRoleNames.Rider);
        using var form = new MultipartFormDataContent();
        for (var seed = 10; seed < 13; seed++)
        {
            var file = new ByteArrayContent(Ride(seed));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "file", $"ride-{seed}.csv");
        }

        using var refused = await client.PostAsync("api/rides", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(UploadErrorCodes.QuotaExceeded, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
        Assert.Empty(_host.Storage.Keys(BucketKind.Raw));
    }

    [Fact]
    public async Task ResumableSession_DeclaringMoreThanTheRemainingQuota_Is413()
    {
        using var client = _host.ClientFor(_rider, PortalRoleNames.Rider);
        await UploadAsync(client, seed: 20, HttpStatusCode.Created);

        using var refused = await client.PostAsJsonAsync("api/uploads", new { fileName = "big.csv", size = Quota - FileBytes + 1 });
        using var accepted = await client.PostAsJsonAsync("api/uploads", new { fileName = "fits.csv", size = Quota - FileBytes });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal(UploadErrorCodes.QuotaExceeded, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public void QuotaOption_IsValidated()
    {
        var result = new UploadOptionsValidator().Validate(null, new UploadOptions { UserQuotaBytes = -1 });

        Assert.True(result.Failed);
        Assert.Contains("Uploads:UserQuotaBytes must be 0 (no quota) or a positive number of bytes (was -1).", result.FailureMessage, StringComparison.Ordinal);
    }

    /// <summary>A distinct CSV of exactly <see cref="FileBytes"/> bytes.</summary>
    private static byte[] Ride(int seed)
    {
        var text = new System.Text.StringBuilder($"timestamp,ax,ay,az,gx,gy,gz,speed\n# ride {seed}\n");
        var row = 0;
        while (text.Length < FileBytes - 64)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{row * 0.01:F2},0.1,0.2,9.8,0,0,0,{seed}\n");
            row++;
        }

        text.Append('#', FileBytes - text.Length - 1).Append('\n');
        return System.Text.Encoding.ASCII.GetBytes(text.ToString());
    }

    private static ByteArrayContent Csv(byte[] content)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return body;
    }

    private static async Task UploadAsync(HttpClient client, int seed, HttpStatusCode expected)
    {
        using var response = await client.PostAsync($"api/rides?fileName=ride-{seed}.csv", Csv(Ride(seed)));
        Assert.True(response.StatusCode == expected, $"upload {seed}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
