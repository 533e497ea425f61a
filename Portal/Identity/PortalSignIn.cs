using Microsoft.AspNetCore.Identity;

namespace Portal.Identity;

public enum SignInCheck
{
    /// <summary>The caller may go on to the real password sign-in (which counts failures towards lockout).</summary>
    Proceed,

    /// <summary>Unknown, locked-out or wrong: one answer for all, so nobody learns which accounts exist.</summary>
    Refused,

    /// <summary>Too many attempts on this account; try again after the returned wait.</summary>
    Throttled,

    /// <summary>The right password for an account whose e-mail is not confirmed yet.</summary>
    NotConfirmed,

    /// <summary>The right password for an account an administrator has not approved yet.</summary>
    AwaitingApproval,
}

/// <summary>
/// What happens before a password sign-in, the same for the login form and POST /api/auth/login: the per-account
/// throttle, and equal work for unknown and locked accounts (a password hash is checked against a dummy), so the
/// answer and its time do not tell which e-mails have accounts.
/// </summary>
public sealed class PortalSignIn(UserManager<PortalUser> users, IPasswordHasher<PortalUser> hasher, AccountThrottle throttle)
{
    private static readonly PortalUser DummyUser = new() { Id = Guid.Empty, UserName = "dummy", Email = "dummy" };
    private static string? _dummyHash;

    public const string RefusedMessage = "Invalid email or password. After 5 failed attempts an account is locked for 15 minutes.";

    public async Task<(SignInCheck Check, PortalUser? User, TimeSpan RetryAfter)> CheckAsync(string email, string password)
    {
        if (!throttle.TryAcquire(email, out var retryAfter))
        {
            return (SignInCheck.Throttled, null, retryAfter);
        }

        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null || await users.IsLockedOutAsync(user))
        {
            SpendAHash(password);
            return (SignInCheck.Refused, null, TimeSpan.Zero);
        }

        if (!user.EmailConfirmed || user.AwaitingApproval)
        {
            // Only the right password learns why; a wrong one gets the common answer (and counts, as any failure).
            if (!await users.CheckPasswordAsync(user, password))
            {
                await users.AccessFailedAsync(user);
                return (SignInCheck.Refused, null, TimeSpan.Zero);
            }

            return (user.EmailConfirmed ? SignInCheck.AwaitingApproval : SignInCheck.NotConfirmed, user, TimeSpan.Zero);
        }

        return (SignInCheck.Proceed, user, TimeSpan.Zero);
    }

    private void SpendAHash(string password)
    {
        _dummyHash ??= hasher.HashPassword(DummyUser, Guid.NewGuid().ToString("N"));
        hasher.VerifyHashedPassword(DummyUser, _dummyHash, password);
    }
}
