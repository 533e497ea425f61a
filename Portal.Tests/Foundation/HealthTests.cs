using System.Net;
using System.Text.Json;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Foundation;

[Trait("Category", "Foundation")]
public sealed class HealthTests
{
    [Fact]
    public async Task Health_IsHealthy_WithTheEmbeddedDefaults()
    {
        // The embedded run: SQLite catalog and accounts, Hangfire on SQLite with its server, data in one folder.
        await using var factory = new PortalFactory(TestDatabase.Sqlite, hangfireStorage: "Sqlite");
        using var client = factory.CreateClient();

        foreach (var path in new[] { "/health", "/health/ready", "/health/live" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        }

        using var full = JsonDocument.Parse(await client.GetStringAsync("/health"));
        var checks = full.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("database", checks);
        Assert.Contains("hangfire", checks);
        Assert.True(File.Exists(Path.Combine(factory.DataDir, "portal.db")));
        Assert.True(File.Exists(Path.Combine(factory.DataDir, "hangfire.db")));
    }

    [Fact]
    public async Task Health_IsHealthy_OnPostgreSql()
    {
        await using var factory = new PortalFactory(TestDatabase.PostgreSql, hangfireStorage: "PostgreSql");
        await factory.InitializeDatabasesAsync();
        // The checks' descriptions are for admins; anonymous callers get the statuses only.
        using var client = await factory.CreateBearerClientAsync(Portal.Identity.DemoAccounts.AdminEmail);

        using var body = JsonDocument.Parse(await client.GetStringAsync("/health/ready"));
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var hangfire = body.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "hangfire");
        Assert.Contains("PostgreSqlStorage", hangfire.GetProperty("description").GetString());
    }
}
