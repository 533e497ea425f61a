using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Portal.Email;
using Portal.Hosting;
using Portal.Identity;

namespace Portal.Api;

/// <summary>
/// /api/auth: Identity's token endpoints (login, refresh, ...) with the portal's rules around them: registration is
/// a web registration (a Rider with a catalog profile, confirmed by e-mail); login answers alike for unknown, locked
/// and wrong; refresh tokens are single use within a bounded chain.
/// </summary>
public static class AuthApi
{
    public const string InvalidCredentials = "invalid_credentials";
    public const string EmailNotConfirmed = "email_not_confirmed";
    public const string AwaitingApproval = "awaiting_approval";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string SessionExpired = "session_expired";

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/auth").WithTags("Authentication");
        auth.MapIdentityApi<PortalUser>()
            .AddEndpointFilterFactory((context, next) =>
            {
                var parameters = context.MethodInfo.GetParameters().Select(p => p.ParameterType).ToList();
                if (parameters.Contains(typeof(RegisterRequest)))
                {
                    return invocation => RegisterRiderInstead(invocation);
                }

                if (parameters.Contains(typeof(LoginRequest)))
                {
                    return invocation => CheckBeforeLogin(invocation, next);
                }

                if (parameters.Contains(typeof(RefreshRequest)))
                {
                    return invocation => RefreshOnce(invocation, next);
                }

                if (parameters.Contains(typeof(InfoRequest)))
                {
                    return invocation => ForgetSessionStateAfter(invocation, next);
                }

                return next;
            });
        return endpoints;
    }

    /// <summary>POST /api/auth/register: creates a Rider (private) and its profile, confirmed by e-mail.</summary>
    public static async ValueTask<object?> RegisterRiderInstead(EndpointFilterInvocationContext invocation)
    {
        var request = invocation.Arguments.OfType<RegisterRequest>().Single();
        var http = invocation.HttpContext;
        var accounts = http.RequestServices.GetRequiredService<PortalAccounts>();
        var baseUri = http.RequestServices.GetRequiredService<AccountLinks>().BaseFor(http.Request);
        return await RegisterRider(request, accounts, baseUri, http.RequestAborted);
    }

    /// <summary>200 for a new and for a known address alike (the mailbox's owner learns which); 400 for a refused password.</summary>
    public static async Task<Results<Ok, ValidationProblem>> RegisterRider(RegisterRequest request, PortalAccounts accounts, Uri baseUri, CancellationToken cancellationToken)
    {
        var (result, _) = await accounts.RegisterRiderAsync(request.Email ?? "", request.Password ?? "", baseUri, cancellationToken);
        return result.Succeeded ? TypedResults.Ok() : ApiErrors.AccountRejectedProblem(result);
    }

    /// <summary>POST /api/auth/login: the per-account throttle and equal answers before Identity checks the password.</summary>
    public static async ValueTask<object?> CheckBeforeLogin(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var request = invocation.Arguments.OfType<LoginRequest>().Single();
        var http = invocation.HttpContext;
        var signIn = http.RequestServices.GetRequiredService<PortalSignIn>();
        var (check, _, retryAfter) = await signIn.CheckAsync(request.Email ?? "", request.Password ?? "");
        switch (check)
        {
            case SignInCheck.Throttled:
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ApiErrors.Problem(StatusCodes.Status429TooManyRequests, SecurityHosting.RateLimitedCode, "Too many sign-in attempts for this account.");
            case SignInCheck.Refused:
                return Refused();
            case SignInCheck.NotConfirmed:
                return ApiErrors.Problem(StatusCodes.Status403Forbidden, EmailNotConfirmed, "Confirm your e-mail address first: follow the link in the mail we sent.");
            case SignInCheck.AwaitingApproval:
                return ApiErrors.Problem(StatusCodes.Status403Forbidden, AwaitingApproval, "An administrator has not approved this account yet.");
        }

        var result = await next(invocation);
        // Identity words its refusals (Failed, LockedOut, NotAllowed); the caller gets one answer for all of them.
        return result is ProblemHttpResult { StatusCode: StatusCodes.Status401Unauthorized }
            or INestedHttpResult { Result: ProblemHttpResult { StatusCode: StatusCodes.Status401Unauthorized } }
                ? Refused()
                : result;
    }

    private static ProblemHttpResult Refused() =>
        ApiErrors.Problem(StatusCodes.Status401Unauthorized, InvalidCredentials, PortalSignIn.RefusedMessage);

    /// <summary>
    /// POST /api/auth/refresh: Identity checks only the security stamp. Here the token is used once (a second use ends
    /// every session of the account), the chain is bounded, and a locked-out or deleted account gets 401.
    /// </summary>
    public static async ValueTask<object?> RefreshOnce(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var request = invocation.Arguments.OfType<RefreshRequest>().Single();
        var services = invocation.HttpContext.RequestServices;
        var (claim, chainStart) = await services.GetRequiredService<RefreshTokenLedger>().ClaimAsync(request.RefreshToken, invocation.HttpContext.RequestAborted);
        switch (claim)
        {
            case RefreshClaim.Reused:
                return ApiErrors.Problem(StatusCodes.Status401Unauthorized, RefreshTokenReused, "This refresh token was used before; every session of the account has ended. Sign in again.");
            case RefreshClaim.ChainExpired:
                return ApiErrors.Problem(StatusCodes.Status401Unauthorized, SessionExpired, "The session is too old to refresh. Sign in again.");
        }

        var result = await next(invocation);
        var signIn = result switch
        {
            SignInHttpResult direct => direct,
            INestedHttpResult { Result: SignInHttpResult nested } => nested,
            _ => null,
        };
        if (signIn is null)
        {
            return result;
        }

        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.GetUserAsync(signIn.Principal);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return TypedResults.Unauthorized();
        }

        return TypedResults.SignIn(RefreshTokenLedger.WithChainStart(signIn.Principal, chainStart), signIn.Properties, signIn.AuthenticationScheme);
    }

    /// <summary>POST /api/auth/manage/info may change the password (and so the stamp): this instance notices at once.</summary>
    public static async ValueTask<object?> ForgetSessionStateAfter(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var result = await next(invocation);
        var users = invocation.HttpContext.RequestServices.GetRequiredService<UserManager<PortalUser>>();
        if (Guid.TryParse(users.GetUserId(invocation.HttpContext.User), out var id))
        {
            invocation.HttpContext.RequestServices.GetRequiredService<SessionRevocation>().Forget(id);
        }

        return result;
    }
}
