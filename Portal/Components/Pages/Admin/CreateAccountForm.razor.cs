using Microsoft.AspNetCore.Components;
using Portal.Identity;

namespace Portal.Components.Pages.Admin;

/// <summary>Creates technicians, R&amp;D and admins with an initial password that must meet the password policy.</summary>
public sealed partial class CreateAccountForm
{
    private static readonly string PasswordHint =
        $"{PasswordPolicy.MinLength}–{PasswordPolicy.MaxLength} characters; a passphrase is welcome.";

    private string email = "";
    private string role = PortalRoles.Technician;
    private string password = "";
    private bool busy;
    private List<string> errors = [];

    [Parameter, EditorRequired] public UserDirectory Directory { get; set; } = default!;

    /// <summary>Receives the new account's e-mail.</summary>
    [Parameter] public EventCallback<string> Created { get; set; }

    private static string RoleTitle(string role) => role switch
    {
        PortalRoles.RnD => "R&D",
        _ => role,
    };

    private async Task CreateAsync()
    {
        errors = [];
        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal))
        {
            errors.Add("Enter the person's e-mail address.");
        }

        if (!PortalRoles.StaffRoles.Contains(role))
        {
            errors.Add("Pick Technician, R&D or Admin (riders register themselves).");
        }

        if (errors.Count > 0)
        {
            return;
        }

        busy = true;
        try
        {
            var result = await Directory.CreateAsync(new NewAccount(email.Trim(), password, role), CancellationToken.None);
            if (!result.Succeeded)
            {
                errors = [.. result.Errors.Select(e => e.Description)];
                return;
            }

            var created = email.Trim();
            (email, password) = ("", "");
            await Created.InvokeAsync(created);
        }
        finally
        {
            busy = false;
        }
    }
}
