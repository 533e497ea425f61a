using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;

namespace Portal.Tests.Security;

/// <summary>
/// CSRF on the cookie-authenticated API: a state-changing /api call that carries only the sign-in cookie must come
/// from the portal's own origin (Sec-Fetch-Site / Origin); anything else is 403 cross_origin_request, and nothing
/// happens. Bearer-token calls are not affected.
/// </summary>
[Trait("Category", "Security")]
public sealed class SameOriginApiTests(SecurityPortal portal) : IClassFixture<SecurityPortal>
{
    private const string Evil = "http://evil.example";
    private const string SameSiteOtherOrigin = "http://other.localhost";

    [Theory]
    [InlineData("Origin", Evil)]
    [InlineData("Origin", SameSiteOtherOrigin)]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task CookieUpload_FromAnotherOrigin_IsRefusedWith403_AndStoresNothing(string header, string value)
    {
        using var rider = await portal.Factory.CreateCookieClientAsync(SecurityPortal.RiderB.Email!);
        var before = await RideCountAsync(SecurityPortal.RiderB);
        using var request = MultipartUpload("csrf.csv");
        request.Headers.Add(header, value);

        using var response = await rider.SendAsync(request);

        await AssertCrossOriginRefusalAsync(response);
        Assert.Equal(before, await RideCountAsync(SecurityPortal.RiderB));
    }

    [Fact]
    public async Task CookieUpload_FromThePortalsOwnPages_IsAccepted()
    {
        using var rider = await portal.Factory.CreateCookieClientAsync(SecurityPortal.RiderB.Email!);
        using var request = MultipartUpload("own-origin.csv");
        request.Headers.Add("Origin", "http://localhost");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        using var response = await rider.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task BearerUpload_WithAForeignOrigin_IsAccepted()
    {
        using var request = MultipartUpload("bearer.csv");
        request.Headers.Add("Origin", Evil);

        using var response = await portal.Api(SecurityPortal.RiderB).SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AdminDeviceActions_ByCookieFromAnotherOrigin_AreRefused_AndTheDeviceStaysEnabled()
    {
        using var admin = await portal.Factory.CreateCookieClientAsync(SecurityPortal.Admin.Email!);
        var device = await portal.RegisterDeviceAsync(SecurityPortal.RiderB);

        foreach (var action in new[] { "disable", "secret" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/devices/{device}/{action}");
            request.Headers.Add("Origin", Evil);
            using var response = await admin.SendAsync(request);
            await AssertCrossOriginRefusalAsync(response);
        }

        var listed = await portal.Api(SecurityPortal.Admin).GetFromJsonAsync<JsonElement>("/api/devices");
        var row = listed.EnumerateArray().Single(d => d.GetProperty("id").GetString() == device);
        Assert.False(row.GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task BulkReanalysis_WithAFormContentTypeFromAnotherOrigin_IsRefused()
    {
        using var admin = await portal.Factory.CreateCookieClientAsync(SecurityPortal.Admin.Email!);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/rides/analyze?since=2020-01-01T00:00:00Z")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "1" }),
        };
        request.Headers.Add("Origin", Evil);

        using var response = await admin.SendAsync(request);

        await AssertCrossOriginRefusalAsync(response);
    }

    private static async Task AssertCrossOriginRefusalAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("cross_origin_request", problem.RootElement.GetProperty("code").GetString());
    }

    private HttpRequestMessage MultipartUpload(string fileName)
    {
        var form = new MultipartFormDataContent();
        var file = new StringContent(portal.UniqueCsv(fileName), Encoding.UTF8);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "files", fileName);
        return new HttpRequestMessage(HttpMethod.Post, "/api/rides") { Content = form };
    }

    private async Task<int> RideCountAsync(Caller caller)
    {
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var owner = portal.UserId(caller);
        return await catalog.Rides.CountAsync(r => r.OwnerId == owner);
    }
}
