using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Portal.Identity;

namespace Portal.Components.Account;

/// <summary>Static form post: checks the password (failures count towards lockout) and sets the cookie.</summary>
public sealed partial class Login
{
    private string? errorMessage;

    [Inject]
    private SignInManager<PortalUser> SignIn { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

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
        var result = await SignIn.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            Navigation.NavigateTo(LocalRedirect.Resolve(ReturnUrl));
            return;
        }

        if (result.IsLockedOut)
        {
            Logger.LogWarning("Login refused: {Email} is locked out.", Input.Email);
            errorMessage = "This account is locked after too many failed attempts. Try again in 15 minutes.";
            return;
        }

        errorMessage = "Invalid email or password.";
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
