using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Hosting;
using Portal.Data;
using Portal.Identity;

namespace Portal.Hosting;

public static class Initialization
{
    /// <summary>
    /// Everything a fresh data directory needs before the first request: both schemas migrated,
    /// the four roles, and the demo accounts when Demo:Seed. Safe to run on every start.
    /// </summary>
    public static async Task InitializePortalAsync(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        await app.Services.MigrateCatalogAsync(stopping);

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await services.GetRequiredService<PortalIdentityDbContext>().Database.MigrateAsync(stopping);

        var roles = services.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        foreach (var role in PortalRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.CreateVersion7() });
            }
        }

        await services.GetRequiredService<DemoAccounts>().SeedAsync(stopping);
    }
}
