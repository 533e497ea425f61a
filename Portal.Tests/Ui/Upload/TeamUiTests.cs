using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Components.Pages.Team;
using Portal.Core.Catalog;
using Portal.Identity;

namespace Portal.Tests.Ui.Upload;

/// <summary>The team pieces: a technician's approved and pending riders, requests by e-mail, and the admin's decisions.</summary>
[Trait("Category", "Ui")]
public sealed class TeamUiTests : UploadUiTestContext
{
    public TeamUiTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public async Task Roster_ShowsApprovedAndPendingRidersApart_AndNotOtherTeams()
    {
        SignIn("tech@demo.local", PortalRoles.Technician);
        await AddRiderAsync("approved@x.test", RiderCategory.Professional, UserId, approved: true);
        await AddRiderAsync("pending@x.test", RiderCategory.Private, UserId, approved: false);
        await AddRiderAsync("other@x.test", RiderCategory.Professional, Guid.NewGuid(), approved: true);

        var cut = Render<TeamRoster>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=team-member]").Count));
        var approved = cut.Find("[data-testid=team-member][data-email='approved@x.test']");
        var pending = cut.Find("[data-testid=team-member][data-email='pending@x.test']");
        Assert.Equal("true", approved.GetAttribute("data-approved"));
        Assert.Equal("false", pending.GetAttribute("data-approved"));
        Assert.Equal("Pending admin approval", pending.QuerySelector("[data-testid=team-member-status]")!.TextContent.Trim());
        // Only an approved rider's sessions can be opened.
        Assert.NotNull(approved.QuerySelector("a[href^='/team?rider=']"));
        Assert.Null(pending.QuerySelector("a"));
    }

    [Fact]
    public async Task Request_ByEmail_AddsAPendingRider_AndUnknownOrTakenRidersAreExplained()
    {
        SignIn("tech@demo.local", PortalRoles.Technician);
        var wanted = await AddRiderAsync("new@x.test");
        await AddRiderAsync("taken@x.test", RiderCategory.Professional, Guid.NewGuid(), approved: true);
        var cut = Render<TeamRoster>();

        await RequestAsync(cut, "NEW@x.test ");
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=team-member][data-email='new@x.test']").GetAttribute("data-approved")));
        await using (var db = await Catalog.CreateDbContextAsync())
        {
            var stored = await db.Riders.AsNoTracking().SingleAsync(r => r.UserId == wanted.UserId);
            Assert.Equal(UserId, stored.TechnicianId);
            Assert.False(stored.TeamMembershipApproved);
        }

        await RequestAsync(cut, "nobody@x.test");
        Assert.Contains("no rider account", cut.Find("[data-testid=team-message]").TextContent, StringComparison.Ordinal);
        await RequestAsync(cut, "taken@x.test");
        Assert.Contains("another technician", cut.Find("[data-testid=team-message]").TextContent, StringComparison.Ordinal);
        Assert.Single(cut.FindAll("[data-testid=team-member]"));
    }

    [Fact]
    public async Task AdminApproval_MovesTheRequestToTheApprovedTeams_AndMakesTheRiderProfessional()
    {
        SignIn("admin@demo.local", PortalRoles.Admin);
        var technician = Guid.NewGuid();
        var approveMe = await AddRiderAsync("approve-me@x.test", RiderCategory.Private, technician);
        var rejectMe = await AddRiderAsync("reject-me@x.test", RiderCategory.Private, technician);
        await AddRiderAsync("member@x.test", RiderCategory.Professional, technician, approved: true);
        var cut = Render<TeamRequests>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=team-request]").Count));
        Assert.Single(cut.FindAll("[data-testid=team-approved-member]"));

        await cut.Find("[data-testid=team-request][data-email='approve-me@x.test'] [data-testid=team-approve]").ClickAsync(new());
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=team-request]")));
        await cut.Find("[data-testid=team-request][data-email='reject-me@x.test'] [data-testid=team-reject]").ClickAsync(new());

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=team-requests-empty]")));
        Assert.Equal(["approve-me@x.test", "member@x.test"], cut.FindAll("[data-testid=team-approved-member]").Select(e => e.GetAttribute("data-email")));
        await using var db = await Catalog.CreateDbContextAsync();
        var approved = await db.Riders.AsNoTracking().SingleAsync(r => r.UserId == approveMe.UserId);
        Assert.True(approved.TeamMembershipApproved);
        Assert.Equal(RiderCategory.Professional, approved.Category);
        var rejected = await db.Riders.AsNoTracking().SingleAsync(r => r.UserId == rejectMe.UserId);
        Assert.Null(rejected.TechnicianId);
        Assert.Equal(RiderCategory.Private, rejected.Category);
    }

    private static async Task RequestAsync(IRenderedComponent<TeamRoster> cut, string email)
    {
        await cut.Find("#team-add-email").InputAsync(new() { Value = email });
        await cut.Find("form").SubmitAsync();
    }
}
