using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Faults;

/// <summary>
/// A PostgreSQL of the test's own with max_connections = 20 and a portal whose pool budget
/// (Database:MaxPoolSize) fits under it: a burst of parallel requests waits in the pool and every one is
/// answered 200; none meets "53300 too many clients" (a 503) or a 500.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ConnectionBudgetTests : IAsyncLifetime
{
    private const int MaxConnections = 20;
    private const int ParallelRequests = 200;
    private PostgresCluster _cluster = null!;
    private PortalFactory _portal = null!;

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.StartAsync(MaxConnections);
        var connectionString = await _cluster.CreateDatabaseAsync("portal");
        _portal = new PortalFactory(TestDatabase.PostgreSql).UsePostgres(connectionString)
            .WithSetting("Database:Provider", "PostgreSql")
            .WithSetting("ConnectionStrings:Portal", connectionString)
            .WithSetting("Database:MaxPoolSize", "6")
            .WithSetting("Database:PoolTimeoutSeconds", "60")
            .WithSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task BurstOf200ParallelRequests_AgainstAServerWith20Connections_AllAnswer200()
    {
        using var client = await _portal.CreateBearerClientAsync("rider@demo.local");

        var statuses = await Task.WhenAll(Enumerable.Range(0, ParallelRequests).Select(async i =>
        {
            using var response = await client.GetAsync(i % 2 == 0 ? "/api/rides" : "/api/me");
            return response.StatusCode;
        }));

        var counts = statuses.GroupBy(s => s).ToDictionary(g => (int)g.Key, g => g.Count());
        Assert.True(counts.Keys.SequenceEqual([200]), $"answers: {string.Join(", ", counts.Select(c => $"{c.Key}×{c.Value}"))}\n{_cluster.ServerLog()}");
    }

    [Fact]
    public void Portal_WhosePoolAloneExceedsTheServersConnections_RefusesToStart_NamingTheKeys()
    {
        _portal.WithSetting("Database:MaxPoolSize", (MaxConnections + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var refused = Assert.ThrowsAny<Exception>(() => _portal.CreateClient());

        var messages = string.Join(" | ", Flatten(refused).Select(e => e.Message));
        Assert.Contains("Database:MaxPoolSize (21)", messages, StringComparison.Ordinal);
        Assert.Contains("the PostgreSQL server takes only 17", messages, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
