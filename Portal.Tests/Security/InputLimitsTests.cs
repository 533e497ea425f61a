using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Api;
using Portal.Core.Rides;
using static Portal.Tests.Security.SecurityPortal;

namespace Portal.Tests.Security;

/// <summary>Lengths and allowed values of what the API stores: device tags, crash labels and notes, file names.</summary>
[Trait("Category", "Security")]
public sealed class InputLimitsTests(SecurityPortal portal) : IClassFixture<SecurityPortal>
{
    [Fact]
    public async Task Rider_TaggingARideWithAnotherRidersDevice_Is400DeviceNotRegistered()
    {
        var othersDevice = await portal.RegisterDeviceAsync(RiderB);

        using var response = await UploadAsync(RiderA, $"deviceId={othersDevice}&fileName=tagged.csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(UploadErrorCodes.DeviceNotRegistered, await CodeAsync(response));
    }

    [Fact]
    public async Task Rider_TaggingARideWithTheirOwnDevice_Is201_AndTheRideCarriesIt()
    {
        var ownDevice = await portal.RegisterDeviceAsync(RiderA);

        using var response = await UploadAsync(RiderA, $"deviceId={ownDevice}&fileName=own.csv");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ride = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ride");
        Assert.Equal(ownDevice, ride.GetProperty("deviceId").GetString());
    }

    [Fact]
    public async Task DeviceId_Of7000Characters_Is400DeviceNotRegistered()
    {
        using var response = await UploadAsync(RiderA, $"deviceId={new string('d', 7000)}&fileName=long.csv");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(UploadErrorCodes.DeviceNotRegistered, await CodeAsync(response));
    }

    [Fact]
    public async Task FileName_WithABidiOverride_IsStoredWithoutIt()
    {
        using var response = await UploadAsync(RiderA, $"fileName={Uri.EscapeDataString("ride\u202Evsc.exe")}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ride = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ride");
        Assert.Equal("ridevsc.exe", ride.GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task CrashLabel_OutsideItsAllowedSet_Is400InvalidCrashLabel()
    {
        using var content = new StringContent("""{"label":99,"notes":"x"}""", Encoding.UTF8, "application/json");
        using var response = await portal.Api(RnD).PutAsync($"/api/crashes/{portal.A.CrashId}/label", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(CrashesApi.InvalidLabel, await CodeAsync(response));
    }

    [Fact]
    public async Task CrashNotes_Of2MB_Are400CrashNotesTooLong_AndNotStored()
    {
        using var response = await portal.Api(RnD).PutAsJsonAsync($"/api/crashes/{portal.A.CrashId}/label", new { label = "Confirmed", notes = new string('n', 2_000_000) });
        using var crash = await portal.Api(RnD).GetAsync($"/api/crashes/{portal.A.CrashId}");
        var notes = (await crash.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("notes");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(CrashesApi.NotesTooLong, await CodeAsync(response));
        Assert.True(notes.ValueKind == JsonValueKind.Null || notes.GetString()!.Length <= CrashesApi.MaxNotesLength);
    }

    private async Task<HttpResponseMessage> UploadAsync(Caller caller, string query)
    {
        using var content = new StringContent(portal.UniqueCsv(query), Encoding.UTF8, "text/csv");
        return await portal.Api(caller).PostAsync($"/api/rides?{query}", content);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
}
