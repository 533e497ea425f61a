using Microsoft.AspNetCore.Components;

namespace Portal.Components.Pages.Team;

/// <summary>
/// /team: a technician's professional riders (add by e-mail, remove), each rider's sessions and their
/// trend; admins decide pending team requests here. <c>?rider=</c> selects a rider (bookmarkable).
/// </summary>
public sealed partial class TeamPage
{
    [SupplyParameterFromQuery(Name = "rider")]
    public Guid? RiderId { get; set; }
}
