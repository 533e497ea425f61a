using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Team;

/// <summary>The signed-in technician's riders: request one by e-mail, remove one, pick one to see their sessions.</summary>
public sealed partial class TeamRoster
{
    private IReadOnlyList<TeamMember>? members;
    private string? newRiderEmail;
    private string? message;
    private Severity messageSeverity = Severity.Info;
    private Guid technicianId;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private IDialogService Dialogs { get; set; } = default!;

    [Parameter] public Guid? SelectedRiderId { get; set; }

    public IReadOnlyList<TeamMember> Members => members ?? [];

    protected override async Task OnInitializedAsync()
    {
        technicianId = (await AuthenticationState).User.ToRideCaller()?.UserId ?? Guid.Empty;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        await using var db = await Catalog.CreateDbContextAsync();
        members = await db.TeamOfAsync(technicianId, CancellationToken.None);
    }

    private async Task RequestAsync()
    {
        if (string.IsNullOrWhiteSpace(newRiderEmail))
        {
            return;
        }

        var email = newRiderEmail.Trim();
        TeamRequestOutcome outcome;
        await using (var db = await Catalog.CreateDbContextAsync())
        {
            outcome = await db.RequestTeamMemberAsync(technicianId, email, CancellationToken.None);
        }

        (message, messageSeverity) = outcome switch
        {
            TeamRequestOutcome.Requested => ($"{email} was requested; an admin approves the request.", Severity.Success),
            TeamRequestOutcome.NoSuchRider => ($"There is no rider account with the e-mail {email}.", Severity.Error),
            TeamRequestOutcome.AlreadyInYourTeam => ($"{email} is already in your team.", Severity.Info),
            TeamRequestOutcome.AlreadyRequested => ($"{email} is already requested and waits for an admin.", Severity.Info),
            _ => ($"{email} already belongs to another technician's team.", Severity.Warning),
        };
        if (outcome == TeamRequestOutcome.Requested)
        {
            newRiderEmail = null;
        }

        await LoadAsync();
    }

    private async Task RemoveAsync(TeamMember member)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            member.Approved ? "Remove rider" : "Withdraw request",
            member.Approved
                ? $"Remove {member.Email} from your team? Their rides stay theirs; you no longer see them, and adding them again needs an admin's approval."
                : $"Withdraw the request for {member.Email}?",
            yesText: member.Approved ? "Remove" : "Withdraw",
            cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        await using (var db = await Catalog.CreateDbContextAsync())
        {
            var removed = await db.RemoveTeamMemberAsync(technicianId, member.RiderId, CancellationToken.None);
            (message, messageSeverity) = removed
                ? ($"{member.Email} is no longer in your team.", Severity.Success)
                : ($"{member.Email} was not in your team any more.", Severity.Info);
        }

        await LoadAsync();
    }
}
