using Microsoft.AspNetCore.Identity;

namespace Portal.Identity;

/// <summary>An account; the catalog's <see cref="Core.Catalog.RiderProfile"/> shares its id.</summary>
public sealed class PortalUser : IdentityUser<Guid>
{
    /// <summary>A self-registered account waiting for an administrator (only when Accounts:RequireApproval is on).</summary>
    public bool AwaitingApproval { get; set; }
}

/// <summary>
/// A refresh token that has been exchanged once (stored as its SHA-256): presenting it again is a replay, and the
/// account's sessions all end. Rows are kept until the token would have expired anyway.
/// </summary>
public sealed class UsedRefreshToken
{
    /// <summary>Hex SHA-256 of the token text.</summary>
    public string TokenHash { get; set; } = "";

    public Guid UserId { get; set; }

    /// <summary>When the token expires (Unix seconds); later rows can be deleted.</summary>
    public long ExpiresAtUnixSeconds { get; set; }
}
