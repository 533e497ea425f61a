using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Data;
using Portal.Identity;

namespace Portal.Components.Pages.Admin;

public sealed record UserRow(Guid Id, string Email, IReadOnlyList<string> Roles, RiderCategory? Category, DateTimeOffset? LockoutEnd, int FailedLogins)
{
    public bool IsRider => Roles.Contains(PortalRoles.Rider);

    public bool IsLockedAt(DateTimeOffset now) => LockoutEnd is { } end && end > now;
}

/// <summary>
/// The admin console's account operations, each in its own DI scope (a Blazor circuit lives long; Identity's
/// stores and the DbContexts must not). Creation goes through <see cref="PortalAccounts"/> like POST /api/admin/users.
/// </summary>
public sealed class UserDirectory(IServiceScopeFactory scopes, SessionRevocation sessions)
{
    public async Task<IReadOnlyList<UserRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var identity = scope.ServiceProvider.GetRequiredService<PortalIdentityDbContext>();
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var users = await identity.Users.AsNoTracking()
            .Select(u => new { u.Id, u.Email, u.LockoutEnd, u.AccessFailedCount })
            .ToListAsync(cancellationToken);
        var roles = await (
            from ur in identity.UserRoles
            join r in identity.Roles on ur.RoleId equals r.Id
            select new { ur.UserId, r.Name }).ToListAsync(cancellationToken);
        var categories = await catalog.Riders.AsNoTracking().ToDictionaryAsync(p => p.UserId, p => p.Category, cancellationToken);
        var rolesByUser = roles.ToLookup(r => r.UserId, r => r.Name ?? "");
        return users
            .Select(u => new UserRow(
                u.Id, u.Email ?? "", [.. rolesByUser[u.Id].Order(StringComparer.Ordinal)],
                categories.TryGetValue(u.Id, out var category) ? category : null, u.LockoutEnd, u.AccessFailedCount))
            .OrderBy(u => u.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Creates a technician, R&amp;D or admin account (or a rider with a category) with the password policy's checks.</summary>
    public async Task<IdentityResult> CreateAsync(NewAccount account, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (result, _) = await scope.ServiceProvider.GetRequiredService<PortalAccounts>().CreateAsync(account, cancellationToken);
        return result;
    }

    /// <summary>Locks the account until unlocked and ends its sessions (the security stamp changes, so cookies are revalidated away).</summary>
    public Task<IdentityResult> LockAsync(Guid userId) => WithUserAsync(userId, async (users, user) =>
    {
        var enabled = await users.SetLockoutEnabledAsync(user, true);
        if (!enabled.Succeeded)
        {
            return enabled;
        }

        var locked = await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        if (!locked.Succeeded)
        {
            return locked;
        }

        await sessions.EndAllSessionsAsync(users, user);
        return IdentityResult.Success;
    });

    public Task<IdentityResult> UnlockAsync(Guid userId) => WithUserAsync(userId, async (users, user) =>
    {
        var unlocked = await users.SetLockoutEndDateAsync(user, null);
        return unlocked.Succeeded ? await users.ResetAccessFailedCountAsync(user) : unlocked;
    });

    /// <summary>Private or professional: decides how long the rider's future raw files are kept.</summary>
    public async Task<bool> SetCategoryAsync(Guid riderId, RiderCategory category, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var catalog = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        var profile = await catalog.Riders.FirstOrDefaultAsync(p => p.UserId == riderId, cancellationToken);
        if (profile is null)
        {
            return false;
        }

        profile.Category = category;
        await catalog.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task<IdentityResult> WithUserAsync(Guid userId, Func<UserManager<PortalUser>, PortalUser, Task<IdentityResult>> change)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId.ToString());
        return user is null
            ? IdentityResult.Failed(new IdentityError { Code = "UserNotFound", Description = "The account no longer exists." })
            : await change(users, user);
    }
}
