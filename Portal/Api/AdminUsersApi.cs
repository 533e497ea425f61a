using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Catalog;
using Portal.Identity;

namespace Portal.Api;

/// <summary>An admin's request for a new account of any role (riders also register themselves).</summary>
public sealed record CreateAccountRequest(string Email, string Password, string Role, RiderCategory? Category, Guid? TechnicianId);

public sealed record CreatedAccountResponse(Guid Id, string Email, string Role);

public static class AdminUsersApi
{
    public static IEndpointRouteBuilder MapAdminUsersApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/admin/users", CreateAccount)
            .RequireAuthorization(PortalPolicies.AdminOnly)
            .WithName("CreateAccount")
            .WithTags("Administration")
            .WithSummary("Creates a technician, R&D, admin or rider account (admins only).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        endpoints.MapPost("/api/admin/users/{id:guid}/approve", ApproveAccount)
            .RequireAuthorization(PortalPolicies.AdminOnly)
            .WithName("ApproveAccount")
            .WithTags("Administration")
            .WithSummary("Approves a self-registered account waiting for approval (Security:RequireAdminApproval; admins only).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ApproveAccount(Guid id, UserManager<PortalUser> users)
    {
        if (await users.FindByIdAsync(id.ToString()) is not { } user)
        {
            return ApiErrors.Problem(StatusCodes.Status404NotFound, "user_not_found", "No such account.");
        }

        if (user.AwaitingApproval)
        {
            user.AwaitingApproval = false;
            var updated = await users.UpdateAsync(user);
            if (!updated.Succeeded)
            {
                return ApiErrors.Problem(StatusCodes.Status409Conflict, "account_not_updated", "The account could not be approved; try again.");
            }
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<Created<CreatedAccountResponse>, ValidationProblem>> CreateAccount(
        CreateAccountRequest request, PortalAccounts accounts, CancellationToken cancellationToken)
    {
        var (result, user) = await accounts.CreateAsync(
            new NewAccount(
                request.Email,
                request.Password,
                request.Role,
                request.Category ?? RiderCategory.Private,
                request.TechnicianId,
                TeamMembershipApproved: request.TechnicianId is not null),
            cancellationToken);
        return result.Succeeded
            ? TypedResults.Created($"/api/admin/users/{user!.Id}", new CreatedAccountResponse(user.Id, user.Email!, request.Role))
            : ApiErrors.AccountRejectedProblem(result);
    }
}
