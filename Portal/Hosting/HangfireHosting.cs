using Hangfire;
using Portal.Identity;

namespace Portal.Hosting;

/// <summary>The Hangfire dashboard at /hangfire, for admins only; /admin/jobs frames it in the portal's layout.</summary>
public static class HangfireHosting
{
    public const string DashboardPath = "/hangfire";

    public static IEndpointRouteBuilder MapHangfirePanel(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHangfireDashboard(DashboardPath, new DashboardOptions
            {
                // The endpoint's policy decides (cookie auth, Admin role); Hangfire's own filter would admit local requests only.
                Authorization = [],
                AsyncAuthorization = [],
                AppPath = "/admin/jobs",
                DashboardTitle = "Ride Portal jobs",
                DisplayStorageConnectionString = false,
            })
            .RequireAuthorization(PortalPolicies.AdminOnly);

        // Hangfire's stats dispatcher reads a form: any other method made it throw (500). Only POST carries metrics.
        endpoints.MapMethods($"{DashboardPath}/stats", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch], (HttpContext context) =>
            {
                context.Response.Headers.Allow = HttpMethods.Post;
                return TypedResults.StatusCode(StatusCodes.Status405MethodNotAllowed);
            })
            .RequireAuthorization(PortalPolicies.AdminOnly)
            .ExcludeFromDescription();
        return endpoints;
    }
}
