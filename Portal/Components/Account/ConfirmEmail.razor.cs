using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Portal.Email;
using Portal.Identity;

namespace Portal.Components.Account;

/// <summary>The link of the confirmation mail: confirms the address, after which the account may sign in.</summary>
public sealed partial class ConfirmEmail
{
    private bool confirmed;
    private bool awaitingApproval;

    [Inject]
    private UserManager<PortalUser> Users { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "userId")]
    private string? UserId { get; set; }

    [SupplyParameterFromQuery(Name = "code")]
    private string? Code { get; set; }

    protected override async Task OnInitializedAsync()
    {
        var token = AccountLinks.Decode(Code);
        if (token is not null && UserId is not null && await Users.FindByIdAsync(UserId) is { } user)
        {
            confirmed = (await Users.ConfirmEmailAsync(user, token)).Succeeded;
            awaitingApproval = user.AwaitingApproval;
        }

        if (!confirmed)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }
}
