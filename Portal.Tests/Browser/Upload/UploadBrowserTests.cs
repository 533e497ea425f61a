using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.Identity;

namespace Portal.Tests.Browser.Upload;

/// <summary>
/// Real Chromium against the portal on a real port: files go from the page straight to the resumable
/// upload API, their progress and the rides' analysis status show on the page.
/// </summary>
[Trait("Category", "Browser")]
public sealed class UploadBrowserTests(UploadPortalFixture portal) : IClassFixture<UploadPortalFixture>
{
    private const int AnalysisTimeoutMs = 90_000;

    [Fact]
    public async Task Rider_UploadsASample_SeesProgressReach100AndTheRideAnalysed_ThenTheSameFileIsAlreadyUploaded()
    {
        var page = await portal.LoginAsync(DemoAccounts.RiderEmail, "/upload");
        await UploadPortalFixture.WaitForUploaderAsync(page);
        var sample = UploadPortalFixture.SamplePath("city-iso-100hz.csv");

        await page.Locator("[data-testid=upload-input]").SetInputFilesAsync(sample);

        var item = page.Locator("[data-testid=upload-item][data-file='city-iso-100hz.csv']");
        await Expect(item).ToHaveCountAsync(1);
        await Expect(item).ToHaveAttributeAsync("data-ride-status", "Analyzed", new() { Timeout = AnalysisTimeoutMs });
        Assert.Equal("100 %", (await item.Locator("[data-testid=upload-percent]").InnerTextAsync()).Trim());
        Assert.Equal("Analysed", (await item.Locator("[data-testid=upload-status]").InnerTextAsync()).Trim());
        var rideLink = await item.Locator("[data-testid=upload-ride-link]").GetAttributeAsync("href");
        Assert.Matches("^/rides/[0-9a-f-]{36}$", rideLink);

        await UploadPortalFixture.ScreenshotBothWidthsAsync(page, "upload-rider");

        // The same bytes again: recognised by their hash, the earlier ride is shown and not analysed twice.
        await page.Locator("[data-testid=upload-input]").SetInputFilesAsync(sample);
        var again = page.Locator("[data-testid=upload-item][data-file='city-iso-100hz.csv']").Nth(1);
        await Expect(again).ToHaveAttributeAsync("data-phase", "Duplicate", new() { Timeout = AnalysisTimeoutMs });
        Assert.StartsWith("Already uploaded", (await again.Locator("[data-testid=upload-status]").InnerTextAsync()).Trim(), StringComparison.Ordinal);
        Assert.Equal(rideLink, await again.Locator("[data-testid=upload-ride-link]").GetAttributeAsync("href"));
    }

    [Fact]
    public async Task Technician_BulkUploadsTwoGoodFilesAndOneBad_SeesTwoAnalysedAndOneClearRejection()
    {
        var page = await portal.LoginAsync(DemoAccounts.TechnicianEmail, "/team/upload");
        await UploadPortalFixture.WaitForUploaderAsync(page);
        var bad = Path.Combine(Path.GetTempPath(), $"notes-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(bad, "These are my notes from the track day, not a ride file.\nSecond line.\n");
        try
        {
            await page.Locator("[data-testid=upload-input]").SetInputFilesAsync(
            [
                UploadPortalFixture.SamplePath("country-epochms-100hz.csv"),
                UploadPortalFixture.SamplePath("track-iso-200hz.csv"),
                bad,
            ]);

            var items = page.Locator("[data-testid=upload-item]");
            await Expect(items).ToHaveCountAsync(3);
            // Every file waits with its rider preselected: the team's only professional rider.
            Assert.Equal(3, await page.Locator("[data-testid=upload-item][data-phase=Waiting]").CountAsync());
            await UploadPortalFixture.ScreenshotBothWidthsAsync(page, "team-upload-assign");

            await page.ClickAsync("[data-testid=upload-start-all]");

            var analysed = page.Locator("[data-testid=upload-item][data-ride-status=Analyzed]");
            var rejected = page.Locator($"[data-testid=upload-item][data-file='{Path.GetFileName(bad)}']");
            await Expect(analysed).ToHaveCountAsync(2, new() { Timeout = AnalysisTimeoutMs });
            await Expect(rejected.Locator("[data-testid=upload-problem]")).ToBeVisibleAsync(new() { Timeout = AnalysisTimeoutMs });
            var problem = (await rejected.Locator("[data-testid=upload-problem]").InnerTextAsync()).Trim();
            Assert.Matches("[a-z_]{4,}$", problem); // ends with the stable code
            Assert.True(problem.Length > 20, $"The rejection should say why: '{problem}'");
            Assert.Equal(2, await page.Locator("[data-testid=upload-item] [data-testid=upload-ride-link]").CountAsync());

            await UploadPortalFixture.ScreenshotBothWidthsAsync(page, "team-upload");
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task Technician_RequestsARider_SeesItPending_AdminApproves_AndTheTeamShowsSessionsWithTrends()
    {
        // Two analysed sessions for the professional rider, uploaded by the technician through the API.
        var proId = await portal.UserIdOfRiderAsync(DemoAccounts.ProEmail);
        using (var api = await portal.Factory.CreateBearerClientAsync(DemoAccounts.TechnicianEmail))
        {
            foreach (var sample in new[] { "crash-lowside-iso-100hz.csv", "drop-not-a-crash-iso-100hz.csv" })
            {
                using var body = new StreamContent(File.OpenRead(UploadPortalFixture.SamplePath(sample)));
                body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
                using var response = await api.PostAsync($"/api/rides?riderId={proId}&fileName={sample}&source=Bulk", body);
                response.EnsureSuccessStatusCode();
            }
        }

        var technician = await portal.LoginAsync(DemoAccounts.TechnicianEmail, "/team");
        await Expect(technician.Locator("[data-testid=team-member][data-email='pro@demo.local']")).ToHaveAttributeAsync("data-approved", "true");
        await technician.FillAsync("#team-add-email", DemoAccounts.RiderEmail);
        await technician.ClickAsync("[data-testid=team-add]");
        var requested = technician.Locator("[data-testid=team-member][data-email='rider@demo.local']");
        await Expect(requested).ToHaveAttributeAsync("data-approved", "false");
        await Expect(requested.Locator("[data-testid=team-member-status]")).ToHaveTextAsync("Pending admin approval");
        await UploadPortalFixture.ScreenshotBothWidthsAsync(technician, "team-technician");

        var admin = await portal.LoginAsync(DemoAccounts.AdminEmail, "/team");
        var request = admin.Locator("[data-testid=team-request][data-email='rider@demo.local']");
        await request.Locator("[data-testid=team-approve]").ClickAsync();
        await Expect(admin.Locator("[data-testid=team-approved-member][data-email='rider@demo.local']")).ToHaveCountAsync(1);
        await Expect(admin.Locator("[data-testid=team-requests-empty]")).ToBeVisibleAsync();
        await UploadPortalFixture.ScreenshotBothWidthsAsync(admin, "team-admin");

        await technician.GotoAsync($"/team?rider={proId}");
        await UploadPortalFixture.WaitForCircuitAsync(technician);
        await Expect(technician.Locator("[data-testid=team-member][data-email='rider@demo.local']")).ToHaveAttributeAsync("data-approved", "true");
        var sessions = technician.Locator("[data-testid=rider-session]");
        await Expect(technician.Locator("[data-testid=rider-session][data-status=Analyzed]")).ToHaveCountAsync(2, new() { Timeout = AnalysisTimeoutMs });
        await Expect(technician.Locator("[data-testid=rider-sessions] svg").First).ToBeVisibleAsync();
        Assert.True(await sessions.CountAsync() >= 2);
        await UploadPortalFixture.ScreenshotBothWidthsAsync(technician, "team-sessions");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
