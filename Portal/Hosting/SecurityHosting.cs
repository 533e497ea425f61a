using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Api;
using Portal.Identity;

namespace Portal.Hosting;

/// <summary>
/// Rate limits, session revocation, the same-origin rule for the cookie-authenticated API, security headers and the
/// TLS proxy in front of the portal (docs/security.md).
/// </summary>
public static class SecurityHosting
{
    public const string RateLimitedCode = "rate_limited";
    public const string CrossOriginCode = "cross_origin_request";
    public const string SessionEndedCode = "session_ended";

    /// <summary>Blazor Server and MudBlazor need inline styles (style attributes) but no inline or evaluated script.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>The Hangfire dashboard and the API reference page write inline scripts of their own.</summary>
    public const string ToolContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IHostApplicationBuilder AddPortalSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton<AccountThrottle>();
        services.AddSingleton<SessionRevocation>();
        services.AddMemoryCache();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<SecurityOptions>>((forwarded, security) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Loopback stays believed (the framework's default); configured proxies and networks are added.
            foreach (var proxy in security.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            foreach (var network in security.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = false;
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((limiter, security) =>
        {
            var limits = security.Value.RateLimits;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                Classify(context, limits) is { } partition
                    ? RateLimitPartition.GetFixedWindowLimiter(partition.Key, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = partition.Limit.PermitLimit,
                        Window = partition.Limit.Window,
                        QueueLimit = 0,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
                return WriteTooManyRequestsAsync(rejected.HttpContext, retryAfter, cancellationToken);
            };
        });
        return builder;
    }

    /// <summary>A 429 with Retry-After (whole seconds, at least 1) and a problem code; a plain sentence for forms.</summary>
    public static async ValueTask WriteTooManyRequestsAsync(HttpContext context, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        var title = $"Too many requests. Try again in {seconds} seconds.";
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["type"] = "https://tools.ietf.org/html/rfc6585#section-4",
                ["title"] = title,
                ["status"] = StatusCodes.Status429TooManyRequests,
                [ApiErrors.CodeKey] = RateLimitedCode,
            }), cancellationToken);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(title, cancellationToken);
    }

    /// <summary>The rate-limit partition of a request: which limit and whose budget (client address or account).</summary>
    internal static (string Key, RateLimit Limit)? Classify(HttpContext context, RateLimitSettings limits)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            return null;
        }

        var path = request.Path;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (path.Equals("/api/auth/login", StringComparison.OrdinalIgnoreCase) || path.Equals("/account/login", StringComparison.OrdinalIgnoreCase))
        {
            return ("login:" + address, limits.Login);
        }

        if (path.Equals("/api/auth/register", StringComparison.OrdinalIgnoreCase) || path.Equals("/account/register", StringComparison.OrdinalIgnoreCase))
        {
            return ("register:" + address, limits.Register);
        }

        if (path.Equals("/api/auth/refresh", StringComparison.OrdinalIgnoreCase))
        {
            return ("refresh:" + address, limits.Refresh);
        }

        if (path.Equals("/api/auth/forgotPassword", StringComparison.OrdinalIgnoreCase)
            || path.Equals("/api/auth/resendConfirmationEmail", StringComparison.OrdinalIgnoreCase)
            || path.Equals("/account/forgot-password", StringComparison.OrdinalIgnoreCase))
        {
            return ("forgot:" + address, limits.ForgotPassword);
        }

        if (path.Equals("/api/rides", StringComparison.OrdinalIgnoreCase) || path.Equals("/api/uploads", StringComparison.OrdinalIgnoreCase))
        {
            var account = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
            return ("upload:" + (account ?? address), limits.Upload);
        }

        return null;
    }

    /// <summary>
    /// The security middleware, in order: forwarded headers (first, so the scheme and client address are the
    /// proxy's client's), headers on every answer, then after authentication: revoked sessions dropped,
    /// cross-origin cookie calls to the API refused, rate limits.
    /// </summary>
    public static WebApplication UseForwardedHeadersFromProxy(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            // Same-origin framing only: /admin/jobs frames the Hangfire dashboard.
            headers.XFrameOptions = "SAMEORIGIN";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            var path = context.Request.Path;
            headers.ContentSecurityPolicy = path.StartsWithSegments("/hangfire") || path.StartsWithSegments(ApiHosting.ReferencePath)
                ? ToolContentSecurityPolicy
                : ContentSecurityPolicy;
            context.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                // Whatever a signed-in caller gets is theirs: never kept by browsers or shared caches.
                if (http.User.Identity?.IsAuthenticated == true
                    && (http.Request.Path.StartsWithSegments("/api") || string.IsNullOrEmpty(http.Response.Headers.CacheControl)))
                {
                    http.Response.Headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context);
            await next(context);
        });
        return app;
    }

    /// <summary>After authentication: a session whose account changed its stamp, was locked or deleted is treated as signed out.</summary>
    public static WebApplication UseSessionRevocation(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true)
            {
                var revocation = context.RequestServices.GetRequiredService<SessionRevocation>();
                if (!await revocation.IsCurrentAsync(context.User, context.RequestServices, context.RequestAborted))
                {
                    if (!IsBearer(context.Request))
                    {
                        await context.SignOutAsync(IdentityConstants.ApplicationScheme);
                    }

                    context.User = new ClaimsPrincipal(new ClaimsIdentity());
                }
            }

            await next(context);
        });
        return app;
    }

    /// <summary>
    /// A state-changing /api call authenticated by the cookie must come from the portal's own pages: a browser says
    /// where a request comes from (Sec-Fetch-Site, Origin), and anything but this origin is refused with 403.
    /// Bearer-token calls carry no ambient credential and are unaffected.
    /// </summary>
    public static WebApplication UseSameOriginApi(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments("/api")
                && !IsSafeMethod(request.Method)
                && context.User.Identity?.IsAuthenticated == true
                && !IsBearer(request)
                && !IsSameOrigin(request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "application/problem+json";
                context.Response.Headers.CacheControl = "no-store";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
                    ["title"] = "Cross-origin requests with the sign-in cookie are refused; use a bearer token.",
                    ["status"] = StatusCodes.Status403Forbidden,
                    [ApiErrors.CodeKey] = CrossOriginCode,
                }), context.RequestAborted);
                return;
            }

            await next(context);
        });
        return app;
    }

    internal static bool IsSameOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            return string.Equals(fetchSite, "same-origin", StringComparison.OrdinalIgnoreCase);
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            // Neither header: not a browser (browsers send Origin on every cross-origin and every non-GET request).
            return true;
        }

        var own = $"{request.Scheme}://{request.Host.Value}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsSafeMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    internal static bool IsBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
}
