using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Portal.Email;
using Portal.Identity;

namespace Portal.Components.Account;

/// <summary>
/// Sends a reset link to a confirmed account's address; the page answers the same for any address, so it tells
/// nobody which ones have accounts (the rate limiter bounds how many mails one client can cause).
/// </summary>
public sealed partial class ForgotPassword
{
    private bool sent;

    [Inject]
    private UserManager<PortalUser> Users { get; set; } = default!;

    [Inject]
    private PortalMail Mail { get; set; } = default!;

    [Inject]
    private AccountLinks Links { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm]
    private ForgotInput Input { get; set; } = default!;

    protected override void OnInitialized() => Input ??= new();

    private async Task SendAsync()
    {
        if (await Users.FindByEmailAsync(Input.Email.Trim()) is { EmailConfirmed: true } user)
        {
            var token = await Users.GeneratePasswordResetTokenAsync(user);
            var link = AccountLinks.Reset(Links.BaseFor(HttpContext.Request), user.Email!, token);
            await Mail.SendAsync(user.Email!, "Reset your Ride Portal password", PortalMail.ResetBody(link), HttpContext.RequestAborted);
        }

        sent = true;
    }

    private sealed class ForgotInput
    {
        [Required]
        [EmailAddress]
        public string Email { get; set; } = "";
    }
}
