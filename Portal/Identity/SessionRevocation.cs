using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Portal.Hosting;

namespace Portal.Identity;

/// <summary>
/// Whether a signed-in principal (cookie or bearer token) still speaks for its account: the account exists, is not
/// locked out, and its security stamp is the one the principal was issued with. Sign-out, password change or reset,
/// lock and role change renew the stamp, which ends every cookie, bearer and refresh token issued before.
/// The account's state is remembered for <see cref="SecurityOptions.SessionCheckSeconds"/> to accept sessions
/// cheaply; a refusal is always checked against the database. Changes made through this instance call
/// <see cref="Forget"/> and take effect on the next request.
/// </summary>
public sealed class SessionRevocation(IMemoryCache cache, IOptions<SecurityOptions> options, IOptions<IdentityOptions> identity, TimeProvider time)
{
    private sealed record AccountState(string? Stamp, DateTimeOffset? LockoutEnd);

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, IServiceProvider services, CancellationToken cancellationToken)
    {
        var id = principal.FindFirstValue(identity.Value.ClaimsIdentity.UserIdClaimType);
        if (id is null)
        {
            return false;
        }

        var (state, remembered) = await GetStateAsync(id, services, fresh: false);
        if (Accepts(principal, state))
        {
            return true;
        }

        // A remembered state may be older than the principal (a token issued after another instance renewed the
        // stamp): refusing is decided on the database's current state only.
        if (remembered)
        {
            cache.Remove(Key(id));
            (state, _) = await GetStateAsync(id, services, fresh: true);
            return Accepts(principal, state);
        }

        return false;
    }

    private bool Accepts(ClaimsPrincipal principal, AccountState? state)
    {
        if (state is null || (state.LockoutEnd is { } end && end > time.GetUtcNow()))
        {
            return false;
        }

        var stamp = principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp is not null && string.Equals(stamp, state.Stamp, StringComparison.Ordinal);
    }

    /// <summary>Renews the account's stamp: every session, token and refresh token issued before ends.</summary>
    public async Task EndAllSessionsAsync(UserManager<PortalUser> users, PortalUser user)
    {
        await users.UpdateSecurityStampAsync(user);
        Forget(user.Id);
    }

    public void Forget(Guid userId) => cache.Remove(Key(userId.ToString()));

    private async Task<(AccountState? State, bool Remembered)> GetStateAsync(string id, IServiceProvider services, bool fresh)
    {
        var key = Key(id);
        if (!fresh && cache.TryGetValue(key, out AccountState? known))
        {
            return (known, true);
        }

        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(id);
        var state = user is null ? null : new AccountState(user.SecurityStamp, user.LockoutEnd);
        var seconds = options.Value.SessionCheckSeconds;
        if (seconds > 0 && state is not null)
        {
            cache.Set(key, state, TimeSpan.FromSeconds(seconds));
        }

        return (state, false);
    }

    private static string Key(string id) => "session-state:" + id.ToLowerInvariant();
}
