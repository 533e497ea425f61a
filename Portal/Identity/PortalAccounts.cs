using Microsoft.AspNetCore.Identity;
using Portal.Core.Catalog;

namespace Portal.Identity;

/// <summary>What an account is created with; a rider also gets a catalog profile.</summary>
public sealed record NewAccount(
    string Email,
    string Password,
    string Role,
    RiderCategory Category = RiderCategory.Private,
    Guid? TechnicianId = null,
    bool TeamMembershipApproved = false);

/// <summary>
/// Creates accounts the one way: the Identity user, its role and, for riders, the catalog's
/// <see cref="RiderProfile"/>. Self-registration and admin creation both come through here.
/// </summary>
public sealed class PortalAccounts(UserManager<PortalUser> users, CatalogDbContext catalog, ILogger<PortalAccounts> logger)
{
    public Task<(IdentityResult Result, PortalUser? User)> RegisterRiderAsync(string email, string password, CancellationToken cancellationToken) =>
        CreateAsync(new NewAccount(email, password, PortalRoles.Rider), cancellationToken);

    public async Task<(IdentityResult Result, PortalUser? User)> CreateAsync(NewAccount account, CancellationToken cancellationToken)
    {
        if (!PortalRoles.All.Contains(account.Role))
        {
            return (IdentityResult.Failed(new IdentityError { Code = "UnknownRole", Description = $"Role '{account.Role}' does not exist." }), null);
        }

        var user = new PortalUser { Id = Guid.CreateVersion7(), UserName = account.Email.Trim(), Email = account.Email.Trim() };
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
