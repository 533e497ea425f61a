using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Portal.Identity;

namespace Portal.Components.Account;

/// <summary>
/// Static form post: the per-account throttle and equal answers (PortalSignIn), then the password (failures count
/// towards lockout) and the cookie.
/// </summary>
public sealed partial class Login
{
    private string? errorMessage;

    [Inject]
    private SignInManager<PortalUser> SignIn { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private PortalSignIn Guard { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [Inject]
    private ILogger<Login> Logger { get; set; } = default!;

    [SupplyParameterFromForm]
    private LoginInput Input { get; set; } = default!;

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    private string RegisterHref => ReturnUrl is null ? "account/register" : $"account/register?returnUrl={Uri.EscapeDataString(ReturnUrl)}";

    // The form post supplies Input; a plain GET starts from an empty form.
    protected override void OnInitialized() => Input ??= new();

    private async Task LogInAsync()
    {
        var (check, user, retryAfter) = await Guard.CheckAsync(Input.Email, Input.Password);
        switch (check)
        {
            case SignInCheck.Throttled:
                HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                errorMessage = $"Too many sign-in attempts for this account. Try again in {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalMinutes))} minutes.";
                return;
            case SignInCheck.NotConfirmed:
                errorMessage = "Confirm your e-mail address first: follow the link in the mail we sent when you registered.";
                return;
            case SignInCheck.AwaitingApproval:
                errorMessage = "Your account waits for an administrator's approval.";
                return;
            case SignInCheck.Refused:
                errorMessage = PortalSignIn.RefusedMessage;
                return;
        }

        var result = await SignIn.PasswordSignInAsync(user!, Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            Navigation.NavigateTo(LocalRedirect.Resolve(ReturnUrl));
            return;
        }

        // Wrong and (just now) locked answer alike: nobody learns whether an address has an account.
        if (result.IsLockedOut)
        {
            Logger.LogWarning("An account was locked after repeated failed sign-ins.");
        }

        errorMessage = PortalSignIn.RefusedMessage;
    }

    private sealed class LoginInput
    {
        [Required]
        [EmailAddress]
        public string Email { get; set; } = "";

        [Required]
        public string Password { get; set; } = "";

        public bool RememberMe { get; set; }
    }
}
