using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using static Portal.Tests.Security.SecurityPortal;

namespace Portal.Tests.Security;

/// <summary>Every API refusal is a ProblemDetails whose <c>code</c> clients can switch on.</summary>
[Trait("Category", "Security")]
public sealed class ProblemShapeTests(SecurityPortal portal) : IClassFixture<SecurityPortal>
{
    [Fact]
    public async Task BadRequest_HasProblemCode()
    {
        using var response = await portal.Api(RiderA).GetAsync("/api/rides?page=0");
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "invalid_query");
    }

    [Fact]
    public async Task Unauthenticated_HasProblemCode()
    {
        using var anonymous = portal.Factory.CreateClient();
        using var response = await anonymous.GetAsync($"/api/rides/{portal.A.RideId}");
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task ForbiddenRole_HasProblemCode()
    {
        using var response = await portal.Api(RiderA).GetAsync("/api/crashes");
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task ForbiddenRole_ByCookie_HasProblemCode()
    {
        using var technician = await portal.Factory.CreateCookieClientAsync(Technician.Email!);
        using var response = await technician.GetAsync("/api/crashes");
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task UploadForSomeoneElse_HasProblemCode()
    {
        using var content = new StringContent(portal.UniqueCsv("forbidden"), Encoding.UTF8, "text/csv");
        using var response = await portal.Api(RiderA).PostAsync($"/api/rides?riderId={portal.B.OwnerId}", content);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "rider_not_allowed");
    }

    [Fact]
    public async Task AnotherRidersRide_IsNotFound_WithProblemCode()
    {
        using var response = await portal.Api(RiderA).GetAsync($"/api/rides/{portal.B.RideId}");
        await AssertProblemAsync(response, HttpStatusCode.NotFound, "ride_not_found");
    }

    [Fact]
    public async Task UnknownApiRoute_IsNotFound_WithProblemCode()
    {
        using var response = await portal.Api(RiderA).GetAsync("/api/no-such-thing");
        await AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task CompletingAnEmptySession_IsAConflict_WithProblemCode()
    {
        var sessionId = await portal.CreateUploadSessionAsync(RiderA);
        using var response = await portal.Api(RiderA).PostAsync($"/api/uploads/{sessionId}/complete", null);
        await AssertProblemAsync(response, HttpStatusCode.Conflict, "upload_parts_missing");
    }

    [Fact]
    public async Task ExpiredRawFile_IsGone_WithProblemCode()
    {
        var ride = await portal.UploadRideAsync(RiderB, RiderB, "expiring.csv");
        var rideId = ride.GetProperty("id").GetGuid();
        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            var stored = await catalog.Rides.SingleAsync(r => r.Id == rideId);
            stored.RawRetainUntil = DateTimeOffset.UnixEpoch;
            await catalog.SaveChangesAsync();
        }

        using var response = await portal.Api(RiderB).GetAsync($"/api/rides/{rideId}/raw");
        await AssertProblemAsync(response, HttpStatusCode.Gone, "raw_expired");
    }

    [Fact]
    public async Task OversizeBody_IsTooLarge_WithProblemCode()
    {
        using var content = new ByteArrayContent(new byte[MaxFileBytes + 1]);
        content.Headers.ContentType = new("text/csv");
        using var response = await portal.Api(RiderA).PostAsync("/api/rides", content);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "file_too_large");
    }

    [Fact]
    public async Task MalformedJson_IsABadRequest_WithProblemCode()
    {
        using var content = new StringContent("{ not json", Encoding.UTF8, "application/json");
        using var response = await portal.Api(RiderA).PostAsync("/api/uploads", content);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, null);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.TryGetProperty("code", out var actual), $"no code in {text}");
        Assert.False(string.IsNullOrWhiteSpace(actual.GetString()));
        if (code is not null)
        {
            Assert.Equal(code, actual.GetString());
        }
    }
}
