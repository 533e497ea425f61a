using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Tests.Pipeline;

/// <summary>The read paths made cheap for a large catalog: cached metrics per analysis and a capped list total.</summary>
[Trait("Category", "Pipeline")]
public sealed class RideReadTests(SqliteCatalogDatabase database) : IClassFixture<SqliteCatalogDatabase>, IAsyncLifetime
{
    private PipelineApiHost host = null!;

    public async Task InitializeAsync() => host = await PipelineApiHost.StartAsync(database, _ => { });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Analytics_AfterAReanalysis_AreTheNewMetrics_NotTheOnesReadBefore()
    {
        var rider = Guid.NewGuid();
        var ride = AnalysedRide(rider, 0, maxSpeedKmh: 101.5);
        await AddAsync([ride]);
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);
        var before = await client.GetFromJsonAsync<JsonObject>($"api/rides/{ride.Id}/analytics");

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            await db.Rides.Where(r => r.Id == ride.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.MetricsJson, """{"max_speed_kmh":188.25}""")
                .SetProperty(r => r.AnalyzedAt, ride.AnalyzedAt!.Value.AddMinutes(1)));
        }

        var after = await client.GetFromJsonAsync<JsonObject>($"api/rides/{ride.Id}/analytics");
        var listed = await client.GetFromJsonAsync<JsonObject>("api/rides");

        Assert.Equal(101.5, before!["max_speed_kmh"]!.GetValue<double>());
        Assert.Equal(188.25, after!["max_speed_kmh"]!.GetValue<double>());
        Assert.Equal(188.25, listed!["items"]![0]!["metrics"]!["max_speed_kmh"]!.GetValue<double>());
    }

    [Fact]
    public async Task Analytics_OfAReanalysisInProgress_Is409NotTheCachedMetrics()
    {
        var rider = Guid.NewGuid();
        var ride = AnalysedRide(rider, 0, maxSpeedKmh: 99);
        await AddAsync([ride]);
        using var client = host.ClientFor(rider, PortalRoleNames.Rider);
        using var first = await client.GetAsync($"api/rides/{ride.Id}/analytics");

        using var queued = await client.PostAsync($"api/rides/{ride.Id}/analyze", null);
        using var second = await client.GetAsync($"api/rides/{ride.Id}/analytics");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task List_CountsMatchesUpToTheCap_AndSaysWhenThereAreMore()
    {
        var many = Guid.NewGuid();
        var few = Guid.NewGuid();
        await AddAsync(Enumerable.Range(0, RidesApi.MaxCountedTotal + 3).Select(i => AnalysedRide(many, i, 100)).ToList());
        await AddAsync(Enumerable.Range(0, 3).Select(i => AnalysedRide(few, i, 100)).ToList());
        using var manyClient = host.ClientFor(many, PortalRoleNames.Rider);
        using var fewClient = host.ClientFor(few, PortalRoleNames.Rider);

        var capped = await manyClient.GetFromJsonAsync<JsonObject>("api/rides?pageSize=20&page=2");
        var narrowed = await manyClient.GetFromJsonAsync<JsonObject>($"api/rides?pageSize=20&from={Uri.EscapeDataString(PipelineHarness.Start.AddMinutes(-30).ToString("O"))}");
        var exact = await fewClient.GetFromJsonAsync<JsonObject>("api/rides?pageSize=20");
        var secondPage = await fewClient.GetFromJsonAsync<JsonObject>("api/rides?pageSize=2&page=2");

        Assert.Equal(RidesApi.MaxCountedTotal, capped!["total"]!.GetValue<int>());
        Assert.True(capped["totalCapped"]!.GetValue<bool>());
        Assert.Equal(20, capped["items"]!.AsArray().Count);
        Assert.Equal(31, narrowed!["total"]!.GetValue<int>());
        Assert.False(narrowed["totalCapped"]!.GetValue<bool>());
        Assert.Equal(3, exact!["total"]!.GetValue<int>());
        Assert.False(exact["totalCapped"]!.GetValue<bool>());
        Assert.Equal(3, secondPage!["total"]!.GetValue<int>());
        Assert.Single(secondPage["items"]!.AsArray());
    }

    /// <summary>An analysed ride uploaded <paramref name="minutesAgo"/> minutes before the test clock's start.</summary>
    private static Ride AnalysedRide(Guid owner, int minutesAgo, double maxSpeedKmh) =>
        TestRides.Analysed(owner, PipelineHarness.Start.AddMinutes(-minutesAgo), maxSpeedKmh, $"ride-{minutesAgo}.csv");

    private async Task AddAsync(IReadOnlyList<Ride> rides)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.Rides.AddRange(rides);
        await db.SaveChangesAsync();
    }
}
