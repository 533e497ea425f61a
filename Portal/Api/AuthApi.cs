using Microsoft.AspNetCore.Http.HttpResults;
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

    public static async Task<Results<Ok, ValidationProblem>> RegisterRider(RegisterRequest request, PortalAccounts accounts, CancellationToken cancellationToken)
    {
        var (result, _) = await accounts.RegisterRiderAsync(request.Email ?? "", request.Password ?? "", cancellationToken);
        return result.Succeeded ? TypedResults.Ok() : ApiErrors.AccountRejectedProblem(result);
    }
}
