using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Tests.Pipeline;

/// <summary>The ride pipeline's REST API over HTTP (test server, SQLite catalog, in-memory storage).</summary>
[Trait("Category", "Pipeline")]
public sealed class PipelineApiTests(SqliteCatalogDatabase database) : IClassFixture<SqliteCatalogDatabase>, IAsyncLifetime
{
    private const int Limit = 64 * 1024;
    private PipelineApiHost host = null!;
    private readonly Guid rider = Guid.NewGuid();

    public async Task InitializeAsync() => host = await PipelineApiHost.StartAsync(database, o =>
    {
        o.MaxFileBytes = Limit;
        o.MaxPartBytes = 4096;
    });

    public async Task DisposeAsync() => await host.DisposeAsync();

    private static ByteArrayContent Csv(byte[] content)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return body;
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())?["code"]?.GetValue<string>();

    [Fact]
    public async Task RawBodyUpload_Is201WithLocation_AndTheSameFileAgain_Is200WithTheSameRide()
    {
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);
        var content = PipelineHarness.SampleCsv(seed: 21);

        using var created = await client.PostAsync("api/rides?fileName=morning.csv", Csv(content));
        using var again = await client.PostAsync("api/rides?fileName=morning-copy.csv", Csv(content));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var first = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var rideId = first["ride"]!["id"]!.GetValue<Guid>();
        Assert.Equal($"/api/rides/{rideId}", created.Headers.Location?.ToString());
        Assert.Equal("morning.csv", first["ride"]!["fileName"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(second["duplicate"]!.GetValue<bool>());
        Assert.Equal(rideId, second["ride"]!["id"]!.GetValue<Guid>());
        Assert.Single(host.Scheduler.Analyses, id => id == rideId);
        using var fetched = await client.GetAsync($"api/rides/{rideId}");
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
    }

    [Fact]
    public async Task UploadDeclaredLargerThanTheLimit_Is413WithItsCode_AndNothingIsStored()
    {
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);
        var before = host.Storage.Keys(BucketKind.Raw).Count;

        using var response = await client.PostAsync("api/rides?fileName=huge.csv", Csv(new byte[Limit + 1]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(UploadErrorCodes.FileTooLarge, await CodeOf(response));
        Assert.Equal(before, host.Storage.Keys(BucketKind.Raw).Count);
    }

    [Fact]
    public async Task UnsupportedContentType_Is415()
    {
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);

        using var response = await client.PostAsync("api/rides", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task MultipartUpload_WithBadFilesAmongGoodOnes_KeepsEveryGoodFile_AndSaysWhyEachBadOneFailed()
    {
        var technician = Guid.NewGuid();
        var teamRider = Guid.NewGuid();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            db.Riders.Add(new RiderProfile { UserId = teamRider, Category = RiderCategory.Professional, TechnicianId = technician, TeamMembershipApproved = true });
            await db.SaveChangesAsync();
        }

        using var client = host.ClientFor(technician, PortalRoleNames.Technician);
        using var form = new MultipartFormDataContent
        {
            { new StringContent(teamRider.ToString()), "riderId" },
            { Csv(PipelineHarness.SampleCsv(seed: 31)), "files", "lap1.csv" },
            { Csv([]), "files", "empty.csv" },
            { Csv(PipelineHarness.SampleCsv(seed: 32)), "files", "lap2.csv" },
            { new StringContent(Guid.NewGuid().ToString()), "riderId" },
            { Csv(PipelineHarness.SampleCsv(seed: 33)), "files", "stranger.csv" },
        };

        using var response = await client.PostAsync("api/rides?source=bulk", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var items = (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        Assert.Equal(["lap1.csv", "empty.csv", "lap2.csv", "stranger.csv"], items.Select(i => i!["fileName"]!.GetValue<string>()));
        Assert.Equal(teamRider, items[0]!["ride"]!["ownerId"]!.GetValue<Guid>());
        Assert.Equal(UploadErrorCodes.EmptyFile, items[1]!["error"]!["code"]!.GetValue<string>());
        Assert.NotNull(items[2]!["ride"]);
        Assert.Equal("rider_not_allowed", items[3]!["error"]!["code"]!.GetValue<string>());
        await using var check = host.Services.CreateAsyncScope();
        var rides = await check.ServiceProvider.GetRequiredService<CatalogDbContext>().Rides.Where(r => r.OwnerId == teamRider).ToListAsync();
        Assert.Equal(2, rides.Count);
        Assert.All(rides, r => Assert.Equal(RideSource.Bulk, r.Source));
        Assert.All(rides, r => Assert.Equal(technician, r.UploaderId));
    }

    [Fact]
    public async Task RiderUploadingForAnotherRider_Is403()
    {
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);

        using var response = await client.PostAsync($"api/rides?riderId={Guid.NewGuid()}", Csv(PipelineHarness.SampleCsv(seed: 22)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("rider_not_allowed", await CodeOf(response));
    }

    [Fact]
    public async Task ResumableUploadOverHttp_TellsWhereToResume_AndCompletesIntoTheSameBytes()
    {
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);
        var content = PipelineHarness.SampleCsv(rows: 300, seed: 23);
        var parts = content.Chunk(4096).ToArray();

        using var created = await client.PostAsJsonAsync("api/uploads", new { fileName = "flaky.csv", size = content.Length });
        var sessionId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        using var part0 = await client.PutAsync($"api/uploads/{sessionId}/parts/0", new ByteArrayContent(parts[0]));
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"api/uploads/{sessionId}"));
        var offset = long.Parse(head.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);
        for (var number = 1; number < parts.Length; number++)
        {
            var chunk = new ByteArrayContent(parts[number]);
            using var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/uploads/{sessionId}") { Content = chunk };
            patch.Headers.Add("Upload-Offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var appended = await client.SendAsync(patch);
            Assert.Equal(HttpStatusCode.OK, appended.StatusCode);
            offset = long.Parse(appended.Headers.GetValues("Upload-Offset").Single(), System.Globalization.CultureInfo.InvariantCulture);
        }

        using var completed = await client.PostAsync($"api/uploads/{sessionId}/complete", null);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, part0.StatusCode);
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        var ride = (await completed.Content.ReadFromJsonAsync<JsonObject>())!["ride"]!;
        var rawKey = $"{rider}/{ride["id"]!.GetValue<Guid>()}.csv";
        Assert.Equal(content, host.Storage.Read(BucketKind.Raw, rawKey));
        using var otherUser = host.ClientFor(Guid.NewGuid(), PortalRoleNames.Rider);
        using var stolen = await otherUser.GetAsync($"api/uploads/{sessionId}");
        Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
    }

    [Fact]
    public async Task AnotherRidersRide_Is404_AndTheCrashFolder_IsForRnDAndAdminsOnly()
    {
        using var owner = host.ClientFor(rider, PortalRoleNames.Rider);
        using var created = await owner.PostAsync("api/rides?fileName=mine.csv", Csv(PipelineHarness.SampleCsv(seed: 24)));
        var rideId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["ride"]!["id"]!.GetValue<Guid>();
        using var stranger = host.ClientFor(Guid.NewGuid(), PortalRoleNames.Rider);
        using var engineer = host.ClientFor(Guid.NewGuid(), PortalRoleNames.RnD);

        using var read = await stranger.GetAsync($"api/rides/{rideId}");
        using var raw = await stranger.GetAsync($"api/rides/{rideId}/raw");
        using var analyse = await stranger.PostAsync($"api/rides/{rideId}/analyze", null);
        using var crashesForRider = await stranger.GetAsync("api/crashes");
        using var crashesForRnD = await engineer.GetAsync("api/crashes");
        using var rawForOwner = await owner.GetAsync($"api/rides/{rideId}/raw");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(PipelineProblemsCode.RideNotFound, await CodeOf(read));
        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, analyse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, crashesForRider.StatusCode);
        Assert.Equal(HttpStatusCode.OK, crashesForRnD.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rawForOwner.StatusCode);
        Assert.Equal(PipelineHarness.SampleCsv(seed: 24), await rawForOwner.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unauthenticated_Is401()
    {
        using var anonymous = new HttpClient(host.CreateHandler()) { BaseAddress = new Uri("http://portal.test/") };

        using var response = await anonymous.GetAsync("api/rides");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static class PipelineProblemsCode
    {
        public const string RideNotFound = Portal.Api.PipelineProblems.RideNotFound;
    }
}
