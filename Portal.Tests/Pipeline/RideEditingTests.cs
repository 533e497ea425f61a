using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Api;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Tests.Pipeline;

/// <summary>
/// Rides as the rider's own: the ride's start time from its own clock, <c>PATCH /api/rides/{id}</c> (title, notes) and
/// <c>DELETE /api/rides/{id}</c> with exact statuses and ownership, on a real catalog database.
/// </summary>
[Trait("Category", "Pipeline")]
public abstract class RideEditingTests<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : CatalogDatabase
{
    private static readonly DateTimeOffset RiddenAt = new(2020, 8, 30, 9, 12, 0, TimeSpan.Zero);
    private readonly Guid rider = Guid.NewGuid();
    private readonly Guid stranger = Guid.NewGuid();
    private readonly Guid technician = Guid.NewGuid();
    private readonly Guid admin = Guid.NewGuid();
    private PipelineHarness harness = null!;
    private Guid rideId;

    public async Task InitializeAsync()
    {
        harness = new PipelineHarness(database);
        await harness.AddRiderAsync(rider, RiderCategory.Professional, technician, approved: true);
        await harness.AddRiderAsync(stranger, RiderCategory.Private);
        rideId = (await harness.UploadAsync(rider, PipelineHarness.SampleCsv(seed: Random.Shared.Next()), "mugello.csv")).Ride.Id;
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    private static ClaimsPrincipal Principal(Guid userId, params string[] roles) =>
        new(new ClaimsIdentity(
            roles.Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.NameIdentifier, userId.ToString())), "test"));

    private Task<Results<Ok<RideDto>, ProblemHttpResult>> PatchAsync(ClaimsPrincipal user, RidePatchDto? patch) =>
        harness.InScopeAsync(s => RidesApi.UpdateRide(rideId, patch, user, s.GetRequiredService<RideEditing>(), harness.Time, CancellationToken.None));

    private Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(ClaimsPrincipal user) =>
        harness.InScopeAsync(s => RidesApi.DeleteRide(rideId, user, s.GetRequiredService<RideEditing>(), CancellationToken.None));

    private static int StatusOf(IResult result) => result switch
    {
        ProblemHttpResult problem => problem.StatusCode,
        NoContent => StatusCodes.Status204NoContent,
        Ok<RideDto> => StatusCodes.Status200OK,
        _ => throw new InvalidOperationException($"Unexpected result {result.GetType().Name}"),
    };

    [Fact]
    public async Task Analysis_GivesTheRideItsOwnStartTime_AndAPlaceFromItsFirstGpsFix()
    {
        harness.Analyzer.Answer = () => Analyses.Plain() with
        {
            StartTime = RiddenAt,
            Traces = new RideTraces(
            [
                new Trace(Portal.Core.Analytics.Metrics.TraceNames.Latitude, "°", [0, 1], [43.9981, 43.9990]),
                new Trace(Portal.Core.Analytics.Metrics.TraceNames.Longitude, "°", [0, 1], [11.3712, 11.3720]),
            ], []),
        };

        await harness.RunAnalysisAsync(rideId);

        var ride = await harness.RideAsync(rideId);
        Assert.Equal(RiddenAt, ride.StartedAt);
        Assert.False(ride.StartedAtIsUploadTime);
        Assert.Equal("Mugello", ride.PlaceName);
        Assert.Equal("Mugello, Sun 30 Aug morning", RideTitles.Display(ride, TimeZoneInfo.Utc));
    }

    [Fact]
    public async Task Analysis_OfAFileWithoutAClock_KeepsTheUploadTime_AndSaysSo()
    {
        harness.Analyzer.Answer = () => Analyses.Plain() with { StartTime = null };

        await harness.RunAnalysisAsync(rideId);

        var ride = await harness.RideAsync(rideId);
        Assert.Equal(ride.UploadedAt, ride.StartedAt);
        Assert.True(ride.StartedAtIsUploadTime);
        Assert.Null(ride.PlaceName);
    }

    [Fact]
    public async Task ListFilters_AndSortsByWhenTheRideWasRidden_NotByUpload()
    {
        harness.Analyzer.Answer = () => Analyses.Plain() with { StartTime = RiddenAt };
        await harness.RunAnalysisAsync(rideId);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        var later = (await harness.UploadAsync(rider, PipelineHarness.SampleCsv(seed: Random.Shared.Next()), "later.csv")).Ride.Id;
        var user = Principal(rider, PortalRoleNames.Rider);

        var inAugust2020 = await harness.InScopeAsync(s => RidesApi.ListRides(
            new RideListQuery(From: new DateTimeOffset(2020, 8, 30, 0, 0, 0, TimeSpan.Zero), To: new DateTimeOffset(2020, 8, 31, 0, 0, 0, TimeSpan.Zero)),
            user, s.GetRequiredService<CatalogDbContext>(), harness.Time, CancellationToken.None));
        var byRideTime = await harness.InScopeAsync(s => RidesApi.ListRides(
            new RideListQuery(Sort: "startedAt"), user, s.GetRequiredService<CatalogDbContext>(), harness.Time, CancellationToken.None));

        Assert.Equal([rideId], Assert.IsType<Ok<RidePageDto>>(inAugust2020.Result).Value!.Items.Select(r => r.Id));
        Assert.Equal([rideId, later], Assert.IsType<Ok<RidePageDto>>(byRideTime.Result).Value!.Items.Select(r => r.Id));
    }

    [Fact]
    public async Task Owner_TitlesAndAnnotatesTheRide_AndAnEmptyTitleGoesBackToTheDefault()
    {
        var owner = Principal(rider, PortalRoleNames.Rider);

        var renamed = await PatchAsync(owner, new RidePatchDto("  Mugello, first track day ", "Rear tyre at 1.6 bar"));
        var dto = Assert.IsType<Ok<RideDto>>(renamed.Result).Value!;
        Assert.Equal("Mugello, first track day", dto.Title);
        Assert.Equal("Rear tyre at 1.6 bar", dto.Notes);

        var notesOnly = await PatchAsync(owner, new RidePatchDto(null, "Rain in the afternoon"));
        Assert.Equal("Mugello, first track day", Assert.IsType<Ok<RideDto>>(notesOnly.Result).Value!.Title);

        var cleared = await PatchAsync(owner, new RidePatchDto("", null));
        Assert.Null(Assert.IsType<Ok<RideDto>>(cleared.Result).Value!.Title);
        var stored = await harness.RideAsync(rideId);
        Assert.Null(stored.Title);
        Assert.Equal("Rain in the afternoon", stored.Notes);
    }

    [Fact]
    public async Task ATitleTooLongOrWithALineBreak_Is400_AndChangesNothing()
    {
        var owner = Principal(rider, PortalRoleNames.Rider);
        await PatchAsync(owner, new RidePatchDto("Kept", "Kept notes"));

        var tooLong = await PatchAsync(owner, new RidePatchDto(new string('x', RideLimits.TitleMaxLength + 1), "new notes"));
        var lineBreak = await PatchAsync(owner, new RidePatchDto("two\nlines", null));
        var empty = await PatchAsync(owner, null);

        Assert.Equal(StatusCodes.Status400BadRequest, StatusOf(tooLong.Result));
        Assert.Equal(StatusCodes.Status400BadRequest, StatusOf(lineBreak.Result));
        Assert.Equal(StatusCodes.Status400BadRequest, StatusOf(empty.Result));
        Assert.Contains("title", Assert.IsType<ProblemHttpResult>(tooLong.Result).ProblemDetails.Detail, StringComparison.Ordinal);
        var stored = await harness.RideAsync(rideId);
        Assert.Equal("Kept", stored.Title);
        Assert.Equal("Kept notes", stored.Notes);
    }

    [Fact]
    public async Task OnlyTheOwnerOrAnAdmin_ChangesOrDeletesTheRide_TheTechnicianGets403_AStranger404()
    {
        var teamTechnician = Principal(technician, PortalRoleNames.Technician);
        var someoneElse = Principal(stranger, PortalRoleNames.Rider);

        Assert.Equal(StatusCodes.Status403Forbidden, StatusOf((await PatchAsync(teamTechnician, new RidePatchDto("Mine now", null))).Result));
        Assert.Equal(StatusCodes.Status403Forbidden, StatusOf((await DeleteAsync(teamTechnician)).Result));
        Assert.Equal(StatusCodes.Status404NotFound, StatusOf((await PatchAsync(someoneElse, new RidePatchDto("Mine now", null))).Result));
        Assert.Equal(StatusCodes.Status404NotFound, StatusOf((await DeleteAsync(someoneElse)).Result));
        Assert.Null((await harness.RideAsync(rideId)).Title);

        Assert.Equal(StatusCodes.Status200OK, StatusOf((await PatchAsync(Principal(admin, PortalRoleNames.Admin), new RidePatchDto("Fixed by admin", null))).Result));
        Assert.Equal("Fixed by admin", (await harness.RideAsync(rideId)).Title);
    }

    [Fact]
    public async Task Delete_RemovesTheRideItsMetricsAndItsRawFileAtOnce_ButTheCrashCopyStaysForRnDWithoutTheRider()
    {
        harness.Analyzer.Answer = () => Analyses.Crash();
        await harness.RunAnalysisAsync(rideId);
        await harness.RunCrashHandlingAsync(rideId);
        var ride = await harness.RideAsync(rideId);
        var crash = await harness.WithDbAsync(db => db.Set<CrashRecord>().AsNoTracking().SingleAsync(c => c.RideId == rideId));
        Assert.NotNull(await harness.Storage.GetInfoAsync(BucketKind.Crash, crash.RawCopyKey, CancellationToken.None));

        var deleted = await DeleteAsync(Principal(rider, PortalRoleNames.Rider));

        Assert.Equal(StatusCodes.Status204NoContent, StatusOf(deleted.Result));
        Assert.False(await harness.WithDbAsync(db => db.Rides.AnyAsync(r => r.Id == rideId)));
        Assert.Null(await harness.Storage.GetInfoAsync(BucketKind.Raw, ride.RawKey, CancellationToken.None));
        Assert.Null(await harness.Storage.GetInfoAsync(BucketKind.Analytics, PipelineKeys.MetricsJson(rideId), CancellationToken.None));
        Assert.Null(await harness.Storage.GetInfoAsync(BucketKind.Analytics, PipelineKeys.Traces(rideId), CancellationToken.None));
        Assert.NotNull(await harness.Storage.GetInfoAsync(BucketKind.Crash, crash.RawCopyKey, CancellationToken.None));
        var kept = await harness.WithDbAsync(db => db.Set<CrashRecord>().AsNoTracking().SingleAsync(c => c.RideId == rideId));
        Assert.Equal(Guid.Empty, kept.RiderId);
        Assert.Equal(StatusCodes.Status404NotFound, StatusOf((await DeleteAsync(Principal(rider, PortalRoleNames.Rider))).Result));
    }

    [Fact]
    public async Task DeletingARideBeingAnalysed_Is409_AndKeepsIt()
    {
        await harness.WithDbAsync(db => db.Rides.Where(r => r.Id == rideId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RideStatus.Processing)));

        var refused = await DeleteAsync(Principal(rider, PortalRoleNames.Rider));

        Assert.Equal(StatusCodes.Status409Conflict, StatusOf(refused.Result));
        Assert.True(await harness.WithDbAsync(db => db.Rides.AnyAsync(r => r.Id == rideId)));
    }
}

public sealed class RideEditingTestsOnSqlite(SqliteCatalogDatabase database) : RideEditingTests<SqliteCatalogDatabase>(database), IClassFixture<SqliteCatalogDatabase>;

public sealed class RideEditingTestsOnPostgres(PostgresCatalogDatabase database) : RideEditingTests<PostgresCatalogDatabase>(database), IClassFixture<PostgresCatalogDatabase>;
