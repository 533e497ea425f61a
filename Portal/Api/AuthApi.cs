using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Portal.Identity;

namespace Portal.Api;

/// <summary>
/// /api/auth: Identity's token endpoints (login, refresh, ...). Its /register is taken over so that an
/// API registration is exactly a web registration: a Rider with a catalog profile.
/// </summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/api/auth")
            .WithTags("Authentication")
            .MapIdentityApi<PortalUser>()
            .AddEndpointFilterFactory((context, next) =>
                context.MethodInfo.GetParameters().Any(p => p.ParameterType == typeof(RegisterRequest))
                    ? invocation => RegisterRiderInstead(invocation)
                    : context.MethodInfo.GetParameters().Any(p => p.ParameterType == typeof(RefreshRequest))
                        ? invocation => RefuseLockedOutRefresh(invocation, next)
                        : next);
        return endpoints;
    }

    /// <summary>POST /api/auth/register: creates a Rider (private) and its profile.</summary>
    public static async ValueTask<object?> RegisterRiderInstead(EndpointFilterInvocationContext invocation)
    {
        var request = invocation.Arguments.OfType<RegisterRequest>().Single();
        var accounts = invocation.HttpContext.RequestServices.GetRequiredService<PortalAccounts>();
        return await RegisterRider(request, accounts, invocation.HttpContext.RequestAborted);
    }

    /// <summary>
    /// POST /api/auth/refresh: Identity checks only the security stamp, so a locked-out account could keep
    /// minting access tokens for the refresh token's lifetime; a locked-out or deleted account gets 401.
    /// </summary>
    public static async ValueTask<object?> RefuseLockedOutRefresh(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
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

        var users = invocation.HttpContext.RequestServices.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.GetUserAsync(signIn.Principal);
        return user is null || await users.IsLockedOutAsync(user) ? TypedResults.Unauthorized() : result;
    }

    public static async Task<Results<Ok, ValidationProblem>> RegisterRider(RegisterRequest request, PortalAccounts accounts, CancellationToken cancellationToken)
    {
        var (result, _) = await accounts.RegisterRiderAsync(request.Email ?? "", request.Password ?? "", cancellationToken);
        return result.Succeeded ? TypedResults.Ok() : ApiErrors.AccountRejectedProblem(result);
    }
}
