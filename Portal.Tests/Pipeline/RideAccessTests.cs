using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Tests.Pipeline;

/// <summary>Who may see which ride, and upload for whom: riders their own, technicians their approved team, R&amp;D and admins all.</summary>
[Trait("Category", "Pipeline")]
public abstract class RideAccessTests<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : CatalogDatabase
{
    private PipelineHarness harness = null!;
    private readonly Guid alice = Guid.NewGuid();
    private readonly Guid bob = Guid.NewGuid();
    private readonly Guid carol = Guid.NewGuid();
    private readonly Guid technician = Guid.NewGuid();
    private readonly Guid otherTechnician = Guid.NewGuid();
    private readonly string tag = Guid.NewGuid().ToString("N")[..8];
    private Guid aliceRide;
    private Guid bobRide;
    private Guid carolRide;

    public async Task InitializeAsync()
    {
        harness = new PipelineHarness(database);
        await harness.AddRiderAsync(alice, RiderCategory.Professional, technician, approved: true);
        await harness.AddRiderAsync(bob, RiderCategory.Professional, technician, approved: false);
        await harness.AddRiderAsync(carol, RiderCategory.Private);
        aliceRide = (await harness.UploadAsync(alice, PipelineHarness.SampleCsv(seed: 11), $"{tag}-alice.csv", uploaderId: technician)).Ride.Id;
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        bobRide = (await harness.UploadAsync(bob, PipelineHarness.SampleCsv(seed: 12), $"{tag}-bob.csv")).Ride.Id;
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        carolRide = (await harness.UploadAsync(carol, PipelineHarness.SampleCsv(seed: 13), $"{tag}-carol.csv")).Ride.Id;
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private static ClaimsPrincipal Principal(Guid userId, params string[] roles) =>
        new(new ClaimsIdentity(
            roles.Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.NameIdentifier, userId.ToString())),
            "test"));

    private async Task<IReadOnlyList<Guid>> ListAsync(ClaimsPrincipal user, RideListQuery? query = null)
    {
        var result = await harness.InScopeAsync(s => RidesApi.ListRides(query ?? new RideListQuery(), user, s.GetRequiredService<CatalogDbContext>(), harness.Time, CancellationToken.None));
        return Assert.IsType<Ok<RidePageDto>>(result.Result).Value!.Items.Select(r => r.Id).Where(id => id == aliceRide || id == bobRide || id == carolRide).ToList();
    }

    private async Task<int?> GetStatusAsync(ClaimsPrincipal user, Guid rideId)
    {
        var result = await harness.InScopeAsync(s => RidesApi.GetRide(rideId, user, s.GetRequiredService<CatalogDbContext>(), harness.Time, CancellationToken.None));
        return result.Result switch
        {
            Ok<RideDto> => StatusCodes.Status200OK,
            ProblemHttpResult problem => problem.StatusCode,
            _ => null,
        };
    }

    private Task<bool> MayUploadForAsync(RideCaller caller, Guid riderId) =>
        harness.WithDbAsync(db => db.MayUploadForAsync(caller, riderId, CancellationToken.None));

    [Fact]
    public async Task Rider_SeesOnlyTheirOwnRides_AndAnotherRidersRideIsNotFound()
    {
        var carolUser = Principal(carol, PortalRoleNames.Rider);

        Assert.Equal([carolRide], await ListAsync(carolUser));
        Assert.Equal(StatusCodes.Status200OK, await GetStatusAsync(carolUser, carolRide));
        Assert.Equal(StatusCodes.Status404NotFound, await GetStatusAsync(carolUser, aliceRide));
        var analyse = await harness.InScopeAsync(s => RidesApi.AnalyzeRide(aliceRide, carolUser, s.GetRequiredService<CatalogDbContext>(), harness.Scheduler, harness.Time, CancellationToken.None));
        Assert.Equal(StatusCodes.Status404NotFound, Assert.IsType<ProblemHttpResult>(analyse.Result).StatusCode);
        var download = await harness.InScopeAsync(s => RidesApi.DownloadRaw(aliceRide, carolUser, s.GetRequiredService<CatalogDbContext>(), harness.Storage, harness.Time, CancellationToken.None));
        Assert.Equal(StatusCodes.Status404NotFound, Assert.IsType<ProblemHttpResult>(download.Result).StatusCode);
    }

    [Fact]
    public async Task Technician_SeesTheirApprovedTeamsRides_NotPendingMembersOrStrangers()
    {
        var tech = Principal(technician, PortalRoleNames.Technician);

        Assert.Equal([aliceRide], await ListAsync(tech));
        Assert.Equal(StatusCodes.Status404NotFound, await GetStatusAsync(tech, bobRide));
        Assert.Equal(StatusCodes.Status404NotFound, await GetStatusAsync(tech, carolRide));
        Assert.Empty(await ListAsync(Principal(otherTechnician, PortalRoleNames.Technician)));
    }

    [Theory]
    [InlineData(PortalRoleNames.RnD)]
    [InlineData(PortalRoleNames.Admin)]
    public async Task RnDAndAdmins_SeeEveryRide(string role)
    {
        var rides = await ListAsync(Principal(Guid.NewGuid(), role));

        Assert.Equal(3, rides.Count);
    }

    [Fact]
    public async Task PrincipalWithoutAUserId_IsRefused()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, PortalRoleNames.Admin)], "test"));

        var result = await harness.InScopeAsync(s => RidesApi.ListRides(new RideListQuery(), anonymous, s.GetRequiredService<CatalogDbContext>(), harness.Time, CancellationToken.None));

        Assert.Equal(StatusCodes.Status403Forbidden, Assert.IsType<ProblemHttpResult>(result.Result).StatusCode);
    }

    [Fact]
    public async Task Uploading_ForSomeoneElse_IsLimitedToAdminsAndTechniciansOfTheirApprovedProfessionalTeam()
    {
        Assert.True(await MayUploadForAsync(RideCaller.Of(carol, PortalRoleNames.Rider), carol));
        Assert.False(await MayUploadForAsync(RideCaller.Of(carol, PortalRoleNames.Rider), alice));
        Assert.True(await MayUploadForAsync(RideCaller.Of(technician, PortalRoleNames.Technician), alice));
        Assert.False(await MayUploadForAsync(RideCaller.Of(technician, PortalRoleNames.Technician), bob));
        Assert.False(await MayUploadForAsync(RideCaller.Of(technician, PortalRoleNames.Technician), carol));
        Assert.False(await MayUploadForAsync(RideCaller.Of(otherTechnician, PortalRoleNames.Technician), alice));
        Assert.False(await MayUploadForAsync(RideCaller.Of(Guid.NewGuid(), PortalRoleNames.RnD), carol));
        Assert.True(await MayUploadForAsync(RideCaller.Of(Guid.NewGuid(), PortalRoleNames.Admin), carol));
    }

    [Fact]
    public async Task RideList_FiltersByHashAndFileName_AndPages()
    {
        var admin = Principal(Guid.NewGuid(), PortalRoleNames.Admin);
        var bobSha = (await harness.RideAsync(bobRide)).Sha256;

        Assert.Equal([bobRide], await ListAsync(admin, new RideListQuery(Sha256: bobSha.ToUpperInvariant())));
        Assert.Equal([carolRide], await ListAsync(admin, new RideListQuery(Q: $"{tag.ToUpperInvariant()}-CAROL")));
        Assert.Equal([aliceRide], await ListAsync(admin, new RideListQuery(Rider: alice)));
        Assert.Equal([carolRide, bobRide, aliceRide], await ListAsync(admin, new RideListQuery(Sort: "-uploadedAt")));
        Assert.Equal([aliceRide, bobRide, carolRide], await ListAsync(admin, new RideListQuery(Sort: "fileName")));
        Assert.Equal([bobRide], await ListAsync(admin, new RideListQuery(From: PipelineHarness.Start.AddSeconds(30), To: PipelineHarness.Start.AddSeconds(90))));
        var secondPage = await harness.InScopeAsync(s => RidesApi.ListRides(new RideListQuery(Q: tag, Sort: "fileName", Page: 2, PageSize: 1), admin, s.GetRequiredService<CatalogDbContext>(), harness.Time, CancellationToken.None));
        var page = Assert.IsType<Ok<RidePageDto>>(secondPage.Result).Value!;
        Assert.Equal(3, page.Total);
        Assert.Equal([bobRide], page.Items.Select(r => r.Id));
        var bad = await harness.InScopeAsync(s => RidesApi.ListRides(new RideListQuery(Sort: "colour"), admin, s.GetRequiredService<CatalogDbContext>(), harness.Time, CancellationToken.None));
        Assert.Equal(PipelineProblems.InvalidQuery, Assert.IsType<ProblemHttpResult>(bad.Result).ProblemDetails.Extensions["code"]);
    }
}

public sealed class RideAccessTestsOnSqlite(SqliteCatalogDatabase database) : RideAccessTests<SqliteCatalogDatabase>(database), IClassFixture<SqliteCatalogDatabase>;

public sealed class RideAccessTestsOnPostgres(PostgresCatalogDatabase database) : RideAccessTests<PostgresCatalogDatabase>(database), IClassFixture<PostgresCatalogDatabase>;
