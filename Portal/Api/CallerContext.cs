using System.Security.Claims;
using Portal.Core.Rides;

namespace Portal.Api;

/// <summary>Reads who is calling from the principal: the user id (a Guid in NameIdentifier) and the role claims.</summary>
public static class CallerContext
{
    /// <summary>Null when the principal carries no Guid user id (then the caller may see nothing).</summary>
    public static RideCaller? ToRideCaller(this ClaimsPrincipal user)
    {
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            return null;
        }

        var roles = user.Identities
            .SelectMany(identity => identity.FindAll(identity.RoleClaimType).Concat(identity.FindAll(ClaimTypes.Role)))
            .Select(claim => claim.Value)
            .ToHashSet(StringComparer.Ordinal);
        return new RideCaller(userId, roles);
    }
}
