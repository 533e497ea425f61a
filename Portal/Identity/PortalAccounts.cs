using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;
using Portal.Email;
using Portal.Hosting;

namespace Portal.Identity;

/// <summary>What an account is created with; a rider also gets a catalog profile.</summary>
public sealed record NewAccount(
    string Email,
    string Password,
    string Role,
    RiderCategory Category = RiderCategory.Private,
    Guid? TechnicianId = null,
    bool TeamMembershipApproved = false,
    bool SelfRegistered = false);

/// <summary>
/// Creates accounts the one way: the Identity user, its role and, for riders, the catalog's
/// <see cref="RiderProfile"/>. Self-registration and admin creation both come through here.
/// </summary>
public sealed class PortalAccounts(
    UserManager<PortalUser> users,
    CatalogDbContext catalog,
    PortalMail mail,
    IOptions<SecurityOptions> security,
    ILogger<PortalAccounts> logger)
{
    /// <summary>
    /// Self-registration, answering alike whether the address has an account or not: a new address gets an
    /// unconfirmed Rider and a confirmation link; a known one gets a mail telling its owner (nobody else learns it,
    /// and nobody is signed in). Only refusals that say nothing about other accounts (the password, the address's
    /// form) are answered as errors.
    /// </summary>
    public async Task<(IdentityResult Result, PortalUser? User)> RegisterRiderAsync(string email, string password, Uri baseUri, CancellationToken cancellationToken)
    {
        email = email.Trim();
        var candidate = new PortalUser { UserName = email, Email = email };
        var passwordErrors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            passwordErrors.AddRange((await validator.ValidateAsync(users, candidate, password)).Errors);
        }

        if (passwordErrors.Count > 0)
        {
            return (IdentityResult.Failed([.. passwordErrors]), null);
        }

        if (await users.FindByEmailAsync(email) is { } existing)
        {
            // The same hashing work as a new account, so the answer's time does not tell either.
            users.PasswordHasher.HashPassword(candidate, password);
            await mail.SendAsync(existing.Email!, "Your Ride Portal account",
                PortalMail.AlreadyRegisteredBody(AccountLinks.Login(baseUri), AccountLinks.ForgotPassword(baseUri)), cancellationToken);
            logger.LogInformation("Registration for an existing address; its owner was told by mail.");
            return (IdentityResult.Success, null);
        }

        var (result, user) = await CreateAsync(new NewAccount(email, password, PortalRoles.Rider, SelfRegistered: true), cancellationToken);
        if (!result.Succeeded)
        {
            // A concurrent registration of the same address: the same answer as above.
            return result.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail") ? (IdentityResult.Success, null) : (result, null);
        }

        var token = await users.GenerateEmailConfirmationTokenAsync(user!);
        await mail.SendAsync(email, "Confirm your Ride Portal account", PortalMail.ConfirmationBody(AccountLinks.Confirm(baseUri, user!.Id, token)), cancellationToken);
        return (IdentityResult.Success, user);
    }

    public async Task<(IdentityResult Result, PortalUser? User)> CreateAsync(NewAccount account, CancellationToken cancellationToken)
    {
        if (!PortalRoles.All.Contains(account.Role))
        {
            return (IdentityResult.Failed(new IdentityError { Code = "UnknownRole", Description = $"Role '{account.Role}' does not exist." }), null);
        }

        var user = new PortalUser
        {
            Id = Guid.CreateVersion7(),
            UserName = account.Email.Trim(),
            Email = account.Email.Trim(),
            // Accounts an administrator (or the demo seed) creates are vouched for; self-registered ones confirm their address.
            EmailConfirmed = !account.SelfRegistered,
            AwaitingApproval = account.SelfRegistered && security.Value.RequireAdminApproval,
        };
        var created = await users.CreateAsync(user, account.Password);
        if (!created.Succeeded)
        {
            return (created, null);
        }

        try
        {
            var roleAdded = await users.AddToRoleAsync(user, account.Role);
            if (!roleAdded.Succeeded)
            {
                await users.DeleteAsync(user);
                return (roleAdded, null);
            }

            if (account.Role == PortalRoles.Rider)
            {
                catalog.Riders.Add(new RiderProfile
                {
                    UserId = user.Id,
                    Email = user.Email!,
                    DisplayName = user.Email!,
                    Category = account.Category,
                    TechnicianId = account.TechnicianId,
                    TeamMembershipApproved = account.TeamMembershipApproved,
                });
                await catalog.SaveChangesAsync(cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // No half-made accounts: an account without its profile would fail on every page.
            logger.LogError(exception, "Creating the profile of {Email} failed; the account is removed again.", user.Email);
            await users.DeleteAsync(user);
            throw;
        }

        logger.LogInformation("Account {Email} created with role {Role}.", user.Email, account.Role);
        return (IdentityResult.Success, user);
    }
}
