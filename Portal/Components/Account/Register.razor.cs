using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Portal.Identity;

namespace Portal.Components.Account;

/// <summary>Self-registration: always a private Rider (with its catalog profile), signed in straight away.</summary>
public sealed partial class Register
{
    private List<string> errors = [];

    [Inject]
    private PortalAccounts Accounts { get; set; } = default!;

    [Inject]
    private SignInManager<PortalUser> SignIn { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromForm]
    private RegisterInput Input { get; set; } = default!;

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    // The form post supplies Input; a plain GET starts from an empty form.
    protected override void OnInitialized() => Input ??= new();

    private async Task RegisterAsync()
    {
        var (result, user) = await Accounts.RegisterRiderAsync(Input.Email, Input.Password, CancellationToken.None);
        if (!result.Succeeded)
        {
            errors = [.. result.Errors.Select(e => e.Description)];
            return;
        }

        await SignIn.SignInAsync(user!, isPersistent: false);
        Navigation.NavigateTo(LocalRedirect.Resolve(ReturnUrl));
    }

    private sealed class RegisterInput
    {
        [Required]
        [EmailAddress]
        public string Email { get; set; } = "";

        [Required]
        public string Password { get; set; } = "";

        [Required]
        [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }
}
