using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Portal.Email;
using Portal.Identity;

namespace Portal.Components.Account;

/// <summary>
/// The link of the reset mail: sets a new password (the policy applies) and renews the security stamp, which ends
/// every cookie, bearer and refresh token of the account. An invalid or used link changes nothing.
/// </summary>
public sealed partial class ResetPassword
{
    private const string InvalidLink = "This reset link is not valid (it may be incomplete, expired or already used). Ask for a new one.";

    private List<string> errors = [];
    private bool done;

    [Inject]
    private UserManager<PortalUser> Users { get; set; } = default!;

    [Inject]
    private SessionRevocation Sessions { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "email")]
    private string? EmailFromLink { get; set; }

    [SupplyParameterFromQuery(Name = "code")]
    private string? CodeFromLink { get; set; }

    [SupplyParameterFromForm]
    private ResetInput Input { get; set; } = default!;

    // A plain GET fills the hidden fields from the link; the form post brings them back.
    protected override void OnInitialized() => Input ??= new() { Email = EmailFromLink ?? "", Code = CodeFromLink ?? "" };

    private async Task ResetAsync()
    {
        var token = AccountLinks.Decode(Input.Code);
        var user = await Users.FindByEmailAsync(Input.Email.Trim());
        if (token is null || user is null)
        {
            Refuse([InvalidLink]);
            return;
        }

        var result = await Users.ResetPasswordAsync(user, token, Input.Password);
        if (!result.Succeeded)
        {
            Refuse([.. result.Errors.Select(e => e.Code == "InvalidToken" ? InvalidLink : e.Description)]);
            return;
        }

        // ResetPasswordAsync renewed the stamp; this instance stops trusting the old sessions at once.
        Sessions.Forget(user.Id);
        await Users.ResetAccessFailedCountAsync(user);
        done = true;
    }

    private void Refuse(List<string> reasons)
    {
        errors = reasons;
        HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    private sealed class ResetInput
    {
        public string Email { get; set; } = "";

        public string Code { get; set; } = "";

        [Required]
        public string Password { get; set; } = "";

        [Required]
        [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }
}
