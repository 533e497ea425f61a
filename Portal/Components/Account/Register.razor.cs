using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Portal.Email;
using Portal.Identity;

namespace Portal.Components.Account;

/// <summary>Self-registration: always a private Rider (with its catalog profile), usable once its e-mail is confirmed.</summary>
public sealed partial class Register
{
    private List<string> errors = [];
    private bool registered;

    [Inject]
    private PortalAccounts Accounts { get; set; } = default!;

    [Inject]
    private AccountLinks Links { get; set; } = default!;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm]
    private RegisterInput Input { get; set; } = default!;

    // The form post supplies Input; a plain GET starts from an empty form.
    protected override void OnInitialized() => Input ??= new();

    private async Task RegisterAsync()
    {
        var (result, _) = await Accounts.RegisterRiderAsync(Input.Email, Input.Password, Links.BaseFor(HttpContext.Request), CancellationToken.None);
        if (!result.Succeeded)
        {
            errors = [.. result.Errors.Select(e => e.Description)];
            return;
        }

        // The same page whether the address was new or known; the mail says which.
        registered = true;
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
