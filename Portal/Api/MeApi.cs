using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Identity;

namespace Portal.Api;

/// <summary>The caller's own account.</summary>
public sealed record MeResponse(Guid Id, string Email, IReadOnlyList<string> Roles, RiderCategory? Category);

public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/me", GetMe)
            .RequireAuthorization()
            .WithName("GetMe")
            .WithTags("Account")
            .WithSummary("The caller's id, email, roles and rider category (null for staff).")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    public static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMe(
        ClaimsPrincipal principal, UserManager<PortalUser> users, CatalogDbContext catalog, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null)
        {
            return ApiErrors.Problem(StatusCodes.Status401Unauthorized, ApiErrors.Unauthenticated, "The account no longer exists.");
        }

        var roles = await users.GetRolesAsync(user);
        var category = await catalog.Riders.AsNoTracking()
            .Where(r => r.UserId == user.Id)
            .Select(r => (RiderCategory?)r.Category)
            .FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new MeResponse(user.Id, user.Email!, [.. roles.Order(StringComparer.Ordinal)], category));
    }
}
