using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Identity;

namespace Portal.Components.Pages.Team;

/// <summary>Admins: the pending team requests with Approve / Reject, and the approved teams.</summary>
public sealed partial class TeamRequests
{
    private IReadOnlyList<TeamMember>? pending;
    private IReadOnlyList<TeamMember>? approved;
    private Dictionary<Guid, string> technicianEmails = [];
    private string? message;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;

    [Parameter] public Guid? SelectedRiderId { get; set; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        await using (var db = await Catalog.CreateDbContextAsync())
        {
            pending = await db.PendingTeamRequestsAsync(CancellationToken.None);
            approved = await db.ApprovedTeamMembersAsync(CancellationToken.None);
        }

        technicianEmails = await TechnicianEmailsAsync(pending.Concat(approved).Select(m => m.TechnicianId).OfType<Guid>().Distinct().ToList());
    }

    private async Task DecideAsync(TeamMember request, bool approve)
    {
        bool decided;
        await using (var db = await Catalog.CreateDbContextAsync())
        {
            decided = await db.DecideTeamRequestAsync(request.RiderId, approve, CancellationToken.None);
        }

        message = !decided
            ? $"The request for {request.Email} was already decided."
            : approve
                ? $"{request.Email} joined the team of {TechnicianName(request.TechnicianId)} as a professional rider."
                : $"The request for {request.Email} was rejected.";
        await LoadAsync();
    }

    /// <summary>Technicians are accounts (Identity), not catalog riders: their e-mails come from the account store, one scope per read.</summary>
    private async Task<Dictionary<Guid, string>> TechnicianEmailsAsync(IReadOnlyList<Guid> ids)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        await using var scope = Scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetService<UserManager<PortalUser>>() is not { } users)
        {
            return [];
        }

        return await users.Users.AsNoTracking()
            .Where(u => ids.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.Id.ToString());
    }

    private string TechnicianName(Guid? technicianId) =>
        technicianId is { } id ? technicianEmails.GetValueOrDefault(id, $"technician {id}") : "—";
}
