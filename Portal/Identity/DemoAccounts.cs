using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;

namespace Portal.Identity;

/// <summary>Demo:Seed and Demo:Password: the embedded run's ready-made accounts, one per role.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Only the embedded/Development configuration turns this on; production leaves it off.</summary>
    public bool Seed { get; set; }

    /// <summary>When unset a random password is generated and printed once, when the accounts are created.</summary>
    public string? Password { get; set; }
}

internal sealed class DemoOptionsValidator : IValidateOptions<DemoOptions>
{
    public ValidateOptionsResult Validate(string? name, DemoOptions options) => options.Password switch
    {
        { } password when password.Length < PasswordPolicy.MinLength || password.Length > PasswordPolicy.MaxLength =>
            ValidateOptionsResult.Fail($"Demo:Password must be {PasswordPolicy.MinLength} to {PasswordPolicy.MaxLength} characters (the password policy)."),
        { } password when CommonPasswordValidator.IsCommon(password) =>
            ValidateOptionsResult.Fail("Demo:Password is one of the common passwords the password policy refuses; choose another passphrase."),
        _ => ValidateOptionsResult.Success,
    };
}

/// <summary>Creates the demo accounts once; later starts find them and change nothing.</summary>
public sealed class DemoAccounts(
    IOptions<DemoOptions> options,
    UserManager<PortalUser> users,
    PortalAccounts accounts,
    ILogger<DemoAccounts> logger)
{
    public const string RiderEmail = "rider@demo.local";
    public const string ProEmail = "pro@demo.local";
    public const string TechnicianEmail = "tech@demo.local";
    public const string RnDEmail = "rnd@demo.local";
    public const string AdminEmail = "admin@demo.local";

    /// <summary>Every demo account with its role, in creation order (the technician before their professional rider).</summary>
    public static readonly IReadOnlyList<(string Email, string Role)> All =
    [
        (RiderEmail, PortalRoles.Rider),
        (TechnicianEmail, PortalRoles.Technician),
        (ProEmail, PortalRoles.Rider),
        (RnDEmail, PortalRoles.RnD),
        (AdminEmail, PortalRoles.Admin),
    ];

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Seed)
        {
            return;
        }

        var generated = options.Value.Password is null;
        var password = options.Value.Password ?? GeneratePassword();
        var created = new List<string>();
        foreach (var (email, role) in All)
        {
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }

            var account = email == ProEmail
                ? new NewAccount(email, password, role, RiderCategory.Professional,
                    TechnicianId: (await users.FindByEmailAsync(TechnicianEmail))?.Id, TeamMembershipApproved: true)
                : new NewAccount(email, password, role);
            var (result, _) = await accounts.CreateAsync(account, cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Demo account {email} could not be created: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            }

            created.Add(email);
        }

        if (created.Count == 0)
        {
            return;
        }

        if (generated)
        {
            // Printed once, now; only its hash is stored.
            logger.LogWarning(
                "Demo accounts created: {Accounts}. Their password (shown only this once; set Demo:Password to choose one): {Password}",
                string.Join(", ", created), password);
        }
        else
        {
            logger.LogWarning("Demo accounts created with the password from Demo:Password: {Accounts}.", string.Join(", ", created));
        }
    }

    private static string GeneratePassword()
    {
        // 20 characters from an alphabet without look-alikes: ~110 bits.
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }
}
