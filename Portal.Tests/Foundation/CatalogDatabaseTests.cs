using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Catalog;
using Portal.Core.Hosting;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Foundation;

/// <summary>The catalog on both providers, through the same registration the portal and workers use.</summary>
[Trait("Category", "Foundation")]
public sealed class CatalogDatabaseTests
{
    private static async Task<IHost> CatalogHostAsync(TestDatabase database)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Embedded:DataDir"] = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N")),
            ["Database:Provider"] = database.ToString(),
        };
        if (database == TestDatabase.PostgreSql)
        {
            settings["ConnectionStrings:Portal"] = await TestServices.CreatePostgresDatabaseAsync("catalog");
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCatalog();
        var host = builder.Build();
        await host.Services.MigrateCatalogAsync(CancellationToken.None);
        return host;
    }

    private static Ride NewRide(Guid owner, DateTimeOffset uploadedAt, string fileName) => new()
    {
        Id = Guid.CreateVersion7(),
        OwnerId = owner,
        UploaderId = owner,
        Source = RideSource.Web,
        FileName = fileName,
        SizeBytes = 1234,
        Sha256 = $"{Guid.NewGuid():N}{Guid.NewGuid():N}", // (OwnerId, Sha256) is unique
        RawKey = $"raw/{owner:N}/{Guid.NewGuid():N}.csv",
        UploadedAt = uploadedAt,
        Status = RideStatus.Analyzed,
        MaxSpeedKmh = 187.5,
        CrashDetected = true,
        CrashTimeS = 42.25,
        RawRetainUntil = uploadedAt.AddDays(14),
    };

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.PostgreSql)]
    public async Task Migrations_Apply_AndLeaveNothingPending(TestDatabase database)
    {
        using var host = await CatalogHostAsync(database);
        await using var catalog = await host.Services.GetRequiredService<IDbContextFactory<CatalogDbContext>>().CreateDbContextAsync();

        Assert.Empty(await catalog.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await catalog.Database.GetAppliedMigrationsAsync());
        Assert.Equal(database == TestDatabase.Sqlite ? typeof(SqliteCatalogDbContext) : typeof(PostgresCatalogDbContext), catalog.GetType());
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.PostgreSql)]
    public async Task Ride_RoundTrips(TestDatabase database)
    {
        using var host = await CatalogHostAsync(database);
        var factory = host.Services.GetRequiredService<IDbContextFactory<CatalogDbContext>>();
        var owner = Guid.NewGuid();
        var ride = NewRide(owner, new DateTimeOffset(2026, 5, 17, 9, 30, 15, TimeSpan.FromHours(2)), "mugello.csv");

        await using (var catalog = await factory.CreateDbContextAsync())
        {
            catalog.Riders.Add(new RiderProfile { UserId = owner, Email = "r@example.test", Category = RiderCategory.Professional });
            catalog.Rides.Add(ride);
            await catalog.SaveChangesAsync();
        }

        await using (var catalog = await factory.CreateDbContextAsync())
        {
            var stored = await catalog.Rides.AsNoTracking().SingleAsync(r => r.Id == ride.Id);
            Assert.Equal(ride.UploadedAt, stored.UploadedAt); // the same instant
            Assert.Equal(ride.RawRetainUntil, stored.RawRetainUntil);
            Assert.Equal(ride.FileName, stored.FileName);
            Assert.Equal(ride.RawKey, stored.RawKey);
            Assert.Equal(RideStatus.Analyzed, stored.Status);
            Assert.Equal(187.5, stored.MaxSpeedKmh);
            Assert.True(stored.CrashDetected);
            Assert.Equal(42.25, stored.CrashTimeS);
            Assert.Null(stored.AnalyzedAt);
            var rider = await catalog.Riders.AsNoTracking().SingleAsync(r => r.UserId == owner);
            Assert.Equal(RiderCategory.Professional, rider.Category);
        }
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.PostgreSql)]
    public async Task Rides_OrderAndFilterByInstant_WhateverTheirOffsets(TestDatabase database)
    {
        using var host = await CatalogHostAsync(database);
        var factory = host.Services.GetRequiredService<IDbContextFactory<CatalogDbContext>>();
        var owner = Guid.NewGuid();
        var noonUtc = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        await using (var catalog = await factory.CreateDbContextAsync())
        {
            // Local clock times in the opposite order of the instants: 13:30+02:00 is before 12:00Z.
            catalog.Rides.Add(NewRide(owner, new DateTimeOffset(2026, 6, 1, 13, 30, 0, TimeSpan.FromHours(2)), "second-earliest.csv"));
            catalog.Rides.Add(NewRide(owner, noonUtc, "third.csv"));
            catalog.Rides.Add(NewRide(owner, new DateTimeOffset(2026, 6, 1, 7, 0, 0, TimeSpan.FromHours(-7)), "latest.csv"));
            catalog.Rides.Add(NewRide(owner, new DateTimeOffset(2026, 5, 31, 23, 0, 0, TimeSpan.Zero), "earliest.csv"));
            await catalog.SaveChangesAsync();
        }

        await using (var catalog = await factory.CreateDbContextAsync())
        {
            var ordered = await catalog.Rides.Where(r => r.OwnerId == owner).OrderBy(r => r.UploadedAt).Select(r => r.FileName).ToListAsync();
            Assert.Equal(["earliest.csv", "second-earliest.csv", "third.csv", "latest.csv"], ordered);

            var afterNoon = await catalog.Rides.Where(r => r.OwnerId == owner && r.UploadedAt > noonUtc).Select(r => r.FileName).ToListAsync();
            Assert.Equal(["latest.csv"], afterNoon);
        }
    }
}
