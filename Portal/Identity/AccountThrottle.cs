using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Hosting;

namespace Portal.Identity;

/// <summary>
/// Sign-in attempts per account, whatever address they come from (the per-address limit is the rate limiter's):
/// a password spray from many addresses still gets only <see cref="RateLimitSettings.LoginPerAccount"/> guesses a window.
/// </summary>
public sealed class AccountThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public AccountThrottle(IOptions<SecurityOptions> options)
    {
        var limit = options.Value.RateLimits.LoginPerAccount;
        _limiter = PartitionedRateLimiter.Create<string, string>(email => RateLimitPartition.GetFixedWindowLimiter(
            email,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.PermitLimit, Window = limit.Window, QueueLimit = 0 }));
    }

    /// <summary>True when the account may try; otherwise how long until it may.</summary>
    public bool TryAcquire(string email, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(email.Trim().ToUpperInvariant());
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        return false;
    }

    public void Dispose() => _limiter.Dispose();
}
