using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Portal.Core.Catalog;
using Portal.Identity;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Pipeline;

/// <summary>
/// The read cache of retrieve, ride and list (issue #4): answers come from memory while the catalog watermark is
/// unchanged; a change committed by another process is seen once the watermark is read again (at most
/// ReadCache:MaxStalenessMilliseconds later), one made through this portal at once; an answer is never served to
/// another caller, and "raw available" never outlives the clock.
/// </summary>
[Trait("Category", "Pipeline")]
public sealed class CatalogReadCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(TestDatabase.PostgreSql)]
    [InlineData(TestDatabase.Sqlite)]
    public async Task Retrieve_IsAnsweredFromMemory_UntilAChangeByAnotherProcessIsSeen_WithinTheStalenessBound(TestDatabase database)
    {
        await using var portal = await ClockedPortal.StartAsync(database);
        using var rider = await portal.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        var ride = await portal.AddAnalysedRideAsync(await UserIdAsync(rider), maxSpeedKmh: 101.5);

        var first = await MaxSpeedAsync(rider, ride);
        // Another process (a worker) re-analyses the ride: nothing in this portal hears of it but the database.
        await portal.ExecuteOutsideAsync(
            """UPDATE "Rides" SET "MetricsJson" = '{"max_speed_kmh":188.25}', "AnalysisVersion" = "AnalysisVersion" + 1 WHERE "Id" = @id""", ride);
        var withinTheBound = await MaxSpeedAsync(rider, ride);
        portal.Clock.Advance(TimeSpan.FromMilliseconds(ClockedPortal.MaxStalenessMilliseconds + 1));
        var afterTheBound = await MaxSpeedAsync(rider, ride);

        Assert.Equal(101.5, first);
        Assert.Equal(101.5, withinTheBound);
        Assert.Equal(188.25, afterTheBound);
    }

    [Fact]
    public async Task AChangeMadeThroughThisPortal_IsSeenAtOnce()
    {
        await using var portal = await ClockedPortal.StartAsync(TestDatabase.PostgreSql);
        using var rider = await portal.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        var ride = await portal.AddAnalysedRideAsync(await UserIdAsync(rider), maxSpeedKmh: 99);
        using var before = await rider.GetAsync($"/api/rides/{ride}/analytics");
        using var listedBefore = await rider.GetAsync("/api/rides");

        using var reanalysis = await rider.PostAsync($"/api/rides/{ride}/analyze", null);
        using var after = await rider.GetAsync($"/api/rides/{ride}/analytics");
        var listedAfter = await rider.GetFromJsonAsync<JsonObject>("/api/rides");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listedBefore.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, reanalysis.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, after.StatusCode);
        Assert.NotEqual("Analyzed", listedAfter!["items"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ACachedAnswer_IsNeverServedToAnotherCaller()
    {
        await using var portal = await ClockedPortal.StartAsync(TestDatabase.PostgreSql);
        using var rider = await portal.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        using var otherRider = await portal.CreateBearerClientAsync(DemoAccounts.ProEmail);
        using var technician = await portal.CreateBearerClientAsync(DemoAccounts.TechnicianEmail);
        var ride = await portal.AddAnalysedRideAsync(await UserIdAsync(rider), maxSpeedKmh: 77);
        var proRide = await portal.AddAnalysedRideAsync(await UserIdAsync(otherRider), maxSpeedKmh: 66);

        using var own = await rider.GetAsync($"/api/rides/{ride}/analytics");
        using var ownAgain = await rider.GetAsync($"/api/rides/{ride}/analytics");
        using var othersTry = await otherRider.GetAsync($"/api/rides/{ride}/analytics");
        using var technicianTry = await technician.GetAsync($"/api/rides/{ride}/analytics");
        var riderList = await rider.GetFromJsonAsync<JsonObject>("/api/rides");
        var proList = await otherRider.GetFromJsonAsync<JsonObject>("/api/rides");
        // The pro rider is in the technician's approved team; the private rider is not.
        using var technicianOnTeam = await technician.GetAsync($"/api/rides/{proRide}/analytics");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ownAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, othersTry.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, technicianTry.StatusCode);
        Assert.Equal(HttpStatusCode.OK, technicianOnTeam.StatusCode);
        Assert.Equal([ride.ToString()], Ids(riderList!));
        Assert.Equal([proRide.ToString()], Ids(proList!));
    }

    [Fact]
    public async Task RawAvailable_TurnsFalseWhenTheClockPassesTheDeadline_ThoughTheCatalogDidNotChange()
    {
        await using var portal = await ClockedPortal.StartAsync(TestDatabase.PostgreSql);
        using var rider = await portal.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        var ride = await portal.AddAnalysedRideAsync(await UserIdAsync(rider), maxSpeedKmh: 50, rawRetainUntil: Start.AddHours(2));

        var before = await rider.GetFromJsonAsync<JsonObject>($"/api/rides/{ride}");
        var listedBefore = await rider.GetFromJsonAsync<JsonObject>("/api/rides");
        portal.Clock.Advance(TimeSpan.FromHours(3));
        // The same rider signs in again (the first token has expired by then): the same caller to the cache.
        using var riderLater = await portal.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        var after = await riderLater.GetFromJsonAsync<JsonObject>($"/api/rides/{ride}");
        var listedAfter = await riderLater.GetFromJsonAsync<JsonObject>("/api/rides");

        Assert.True(before!["rawAvailable"]!.GetValue<bool>());
        Assert.True(listedBefore!["items"]![0]!["rawAvailable"]!.GetValue<bool>());
        Assert.False(after!["rawAvailable"]!.GetValue<bool>());
        Assert.False(listedAfter!["items"]![0]!["rawAvailable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task TheList_IsGzipped_ForClientsThatAcceptIt_AndKeptApartFromThePlainAnswer_WhileSmallAnswersAreNot()
    {
        await using var portal = await ClockedPortal.StartAsync(TestDatabase.PostgreSql);
        using var rider = await portal.CreateBearerClientAsync(DemoAccounts.RiderEmail);
        var ride = await portal.AddAnalysedRideAsync(await UserIdAsync(rider), maxSpeedKmh: 42);

        using var gzipped = await GetAsync(rider, "/api/rides", acceptGzip: true);
        using var plain = await GetAsync(rider, "/api/rides", acceptGzip: false);
        using var gzippedAgain = await GetAsync(rider, "/api/rides", acceptGzip: true);
        using var metrics = await GetAsync(rider, $"/api/rides/{ride}/analytics", acceptGzip: true);

        Assert.Equal(["gzip"], gzipped.Content.Headers.ContentEncoding);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(["gzip"], gzippedAgain.Content.Headers.ContentEncoding);
        Assert.Empty(metrics.Content.Headers.ContentEncoding);
        var unzipped = await Gunzip(gzipped);
        Assert.Equal(await plain.Content.ReadAsStringAsync(), unzipped);
        Assert.Equal([ride.ToString()], Ids(JsonNode.Parse(unzipped)!.AsObject()));
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, bool acceptGzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptGzip)
        {
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        }

        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response;
    }

    private static async Task<string> Gunzip(HttpResponseMessage response)
    {
        await using var compressed = await response.Content.ReadAsStreamAsync();
        await using var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return await reader.ReadToEndAsync();
    }

    private static string[] Ids(JsonObject page) => [.. page["items"]!.AsArray().Select(item => item!["id"]!.GetValue<string>())];

    private static async Task<Guid> UserIdAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonObject>("/api/me"))!["id"]!.GetValue<Guid>();

    private static async Task<double> MaxSpeedAsync(HttpClient client, Guid ride) =>
        (await client.GetFromJsonAsync<JsonObject>($"/api/rides/{ride}/analytics"))!["max_speed_kmh"]!.GetValue<double>();

    /// <summary>The whole portal with a fake clock and a watermark read at most once a minute of that clock.</summary>
    private sealed class ClockedPortal(TestDatabase database) : PortalFactory(database)
    {
        public const int MaxStalenessMilliseconds = 60_000;

        public FakeTimeProvider Clock { get; } = new(Start);

        public static async Task<ClockedPortal> StartAsync(TestDatabase database)
        {
            var portal = new ClockedPortal(database);
            portal.WithSetting("ReadCache:MaxStalenessMilliseconds", MaxStalenessMilliseconds.ToString(CultureInfo.InvariantCulture));
            await portal.InitializeDatabasesAsync();
            return portal;
        }

        public async Task<Guid> AddAnalysedRideAsync(Guid owner, double maxSpeedKmh, DateTimeOffset? rawRetainUntil = null)
        {
            var ride = TestRides.Analysed(owner, Clock.GetUtcNow().AddMinutes(-10), maxSpeedKmh, rawRetainUntil: rawRetainUntil);
            await using var scope = Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            db.Rides.Add(ride);
            await db.SaveChangesAsync();
            return ride.Id;
        }

        /// <summary>A statement on a connection of its own, as another process would run it.</summary>
        public async Task ExecuteOutsideAsync(string sql, Guid rideId)
        {
            await using DbConnection connection = Database == TestDatabase.PostgreSql
                ? new NpgsqlConnection(PostgresConnectionString)
                : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDir, "portal.db") }.ToString());
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.Value = Database == TestDatabase.PostgreSql ? rideId : rideId.ToString().ToUpperInvariant();
            command.Parameters.Add(parameter);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        }
    }
}
