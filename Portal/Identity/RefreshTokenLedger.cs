using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Hosting;

namespace Portal.Identity;

public enum RefreshClaim
{
    /// <summary>Not a readable, unexpired refresh token: Identity's own refresh answers 401.</summary>
    Unreadable,

    /// <summary>First use of this token: the exchange may go on.</summary>
    Accepted,

    /// <summary>The token was exchanged before: a copy is in someone else's hands; every session of the account ended.</summary>
    Reused,

    /// <summary>The chain of refreshes began longer ago than Security:RefreshTokenHours: sign in again.</summary>
    ChainExpired,
}

/// <summary>
/// Refresh tokens are single use: each exchange records the token (as a hash), a second exchange of the same token
/// ends all the account's sessions (reuse detection), and a chain of refreshes lasts at most
/// <see cref="SecurityOptions.RefreshTokenHours"/> from the sign-in that began it.
/// </summary>
public sealed class RefreshTokenLedger(
    PortalIdentityDbContext db,
    UserManager<PortalUser> users,
    SessionRevocation sessions,
    IOptionsMonitor<BearerTokenOptions> bearer,
    IOptions<SecurityOptions> security,
    TimeProvider time,
    ILogger<RefreshTokenLedger> logger)
{
    /// <summary>Claim carried by refreshed tokens: when the chain's first sign-in happened (Unix seconds).</summary>
    public const string ChainStartClaim = "ride-portal:refresh-chain-start";

    public async Task<(RefreshClaim Claim, DateTimeOffset ChainStart)> ClaimAsync(string? refreshToken, CancellationToken cancellationToken)
    {
        var options = bearer.Get(IdentityConstants.BearerScheme);
        var now = time.GetUtcNow();
        var ticket = string.IsNullOrEmpty(refreshToken) ? null : options.RefreshTokenProtector.Unprotect(refreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || expires <= now)
        {
            return (RefreshClaim.Unreadable, now);
        }

        var chainStart = ticket.Principal.FindFirstValue(ChainStartClaim) is { } started
            && long.TryParse(started, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : expires - options.RefreshTokenExpiration;
        if (chainStart + TimeSpan.FromHours(security.Value.RefreshTokenHours) <= now)
        {
            return (RefreshClaim.ChainExpired, chainStart);
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken!)));
        await db.UsedRefreshTokens.Where(t => t.ExpiresAtUnixSeconds < now.ToUnixTimeSeconds()).ExecuteDeleteAsync(cancellationToken);
        var used = db.UsedRefreshTokens.Add(new UsedRefreshToken
        {
            TokenHash = hash,
            UserId = Guid.TryParse(ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : Guid.Empty,
            ExpiresAtUnixSeconds = expires.ToUnixTimeSeconds(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (RefreshClaim.Accepted, chainStart);
        }
        catch (DbUpdateException)
        {
            // The row stays out of the context: the stamp update below saves through the same one.
            used.State = EntityState.Detached;
            if (await users.GetUserAsync(ticket.Principal) is { } user)
            {
                logger.LogWarning("A refresh token of {UserId} was used twice; every session of the account is ended.", user.Id);
                await sessions.EndAllSessionsAsync(users, user);
            }

            return (RefreshClaim.Reused, chainStart);
        }
    }

    /// <summary>The principal of the new tokens, marked with the chain's start so the next refresh knows it.</summary>
    public static ClaimsPrincipal WithChainStart(ClaimsPrincipal principal, DateTimeOffset chainStart)
    {
        var identity = principal.Identities.First();
        foreach (var old in identity.FindAll(ChainStartClaim).ToList())
        {
            identity.RemoveClaim(old);
        }

        identity.AddClaim(new Claim(ChainStartClaim, chainStart.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        return principal;
    }
}
