using System.Net;
using Microsoft.Extensions.Options;

namespace Portal.Hosting;

/// <summary>Security:*: rate limits, session checks, error details and the TLS proxy in front of the portal.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Exception details and stack traces in answers; only for diagnosing a development machine.</summary>
    public bool DetailedErrors { get; set; }

    /// <summary>
    /// How long a signed-in request may rely on a remembered check of its account (security stamp, lockout).
    /// 0 checks the database on every request; changes made on this instance are seen at once either way.
    /// </summary>
    public int SessionCheckSeconds { get; set; } = 5;

    /// <summary>Proxies (IP addresses) whose X-Forwarded-For/-Proto are believed; loopback is always believed.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. 10.0.0.0/8) whose forwarded headers are believed.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public RateLimitSettings RateLimits { get; set; } = new();

    /// <summary>Self-registered accounts also wait for an administrator's approval (after confirming their e-mail).</summary>
    public bool RequireAdminApproval { get; set; }

    /// <summary>
    /// Where the key ring that protects cookies, tokens and antiforgery lives: <c>DataDir</c> ({DataDir}/keys, one
    /// instance) or <c>Database</c> (the identity database, shared by every portal instance on it).
    /// </summary>
    public string DataProtectionKeys { get; set; } = DataDirKeys;

    public const string DataDirKeys = "DataDir";
    public const string DatabaseKeys = "Database";

    /// <summary>How long a refresh token may be exchanged after the sign-in that began its chain; refreshing does not extend it.</summary>
    public int RefreshTokenHours { get; set; } = 24 * 7;
}

/// <summary>Fixed-window limits; each is a number of requests per window, per client address unless noted.</summary>
public sealed class RateLimitSettings
{
    /// <summary>POST /api/auth/login and the login form, per client address.</summary>
    public RateLimit Login { get; set; } = new() { PermitLimit = 20, WindowSeconds = 60 };

    /// <summary>Sign-in attempts per account (e-mail), whatever the client address: slows password spraying from many addresses.</summary>
    public RateLimit LoginPerAccount { get; set; } = new() { PermitLimit = 10, WindowSeconds = 300 };

    /// <summary>POST /api/auth/register and the registration form.</summary>
    public RateLimit Register { get; set; } = new() { PermitLimit = 10, WindowSeconds = 3600 };

    /// <summary>POST /api/auth/refresh.</summary>
    public RateLimit Refresh { get; set; } = new() { PermitLimit = 60, WindowSeconds = 60 };

    /// <summary>Forgot-password and resend-confirmation requests (API and pages).</summary>
    public RateLimit ForgotPassword { get; set; } = new() { PermitLimit = 5, WindowSeconds = 3600 };

    /// <summary>Starting an upload (POST /api/rides, POST /api/uploads), per signed-in account.</summary>
    public RateLimit Upload { get; set; } = new() { PermitLimit = 120, WindowSeconds = 60 };
}

public sealed class RateLimit
{
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; }

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);
}

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var errors = new List<string>();
        if (options.SessionCheckSeconds is < 0 or > 300)
        {
            errors.Add($"{SecurityOptions.Section}:SessionCheckSeconds must be 0 to 300 (got {options.SessionCheckSeconds}).");
        }

        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                errors.Add($"{SecurityOptions.Section}:KnownProxies:{i} is not an IP address: '{options.KnownProxies[i]}'.");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                errors.Add($"{SecurityOptions.Section}:KnownNetworks:{i} is not a CIDR network (e.g. 10.0.0.0/8): '{options.KnownNetworks[i]}'.");
            }
        }

        if (options.DataProtectionKeys is not (SecurityOptions.DataDirKeys or SecurityOptions.DatabaseKeys))
        {
            errors.Add($"{SecurityOptions.Section}:DataProtectionKeys must be {SecurityOptions.DataDirKeys} or {SecurityOptions.DatabaseKeys} (got '{options.DataProtectionKeys}').");
        }

        if (options.RefreshTokenHours is < 1 or > 24 * 90)
        {
            errors.Add($"{SecurityOptions.Section}:RefreshTokenHours must be 1 to 2160 (got {options.RefreshTokenHours}).");
        }

        foreach (var (key, limit) in Limits(options.RateLimits))
        {
            if (limit.PermitLimit < 1)
            {
                errors.Add($"{SecurityOptions.Section}:RateLimits:{key}:PermitLimit must be at least 1 (got {limit.PermitLimit}).");
            }

            if (limit.WindowSeconds is < 1 or > 86_400)
            {
                errors.Add($"{SecurityOptions.Section}:RateLimits:{key}:WindowSeconds must be 1 to 86400 (got {limit.WindowSeconds}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<(string Key, RateLimit Limit)> Limits(RateLimitSettings limits) =>
    [
        (nameof(limits.Login), limits.Login),
        (nameof(limits.LoginPerAccount), limits.LoginPerAccount),
        (nameof(limits.Register), limits.Register),
        (nameof(limits.Refresh), limits.Refresh),
        (nameof(limits.ForgotPassword), limits.ForgotPassword),
        (nameof(limits.Upload), limits.Upload),
    ];
}
