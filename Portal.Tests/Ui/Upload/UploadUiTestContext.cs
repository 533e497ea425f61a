using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Tests.Ui.Upload;

/// <summary>
/// bUnit context for the upload and team components: MudBlazor, a signed-in user with roles, a catalog
/// on in-memory SQLite (the real provider the embedded portal uses), a fake clock and upload limits.
/// </summary>
public abstract class UploadUiTestContext : BunitContext, IAsyncLifetime
{
    private readonly SqliteConnection keepAlive = new($"Data Source=upload-ui-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");

    protected UploadUiTestContext()
    {
        keepAlive.Open();
        var options = new DbContextOptionsBuilder<SqliteCatalogDbContext>().UseSqlite(keepAlive.ConnectionString).Options;
        Catalog = new TestCatalogFactory(options);
        using (var db = Catalog.CreateDbContext())
        {
            db.Database.EnsureCreated();
        }

        Services.AddMudServices();
        Services.AddScoped<Portal.Components.Shared.Time.BrowserTimeZone>();
        Services.AddSingleton<IDbContextFactory<CatalogDbContext>>(Catalog);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton(Options.Create(Limits));
        Services.AddSingleton(Options.Create(new AntiforgeryOptions { HeaderName = "RequestVerificationToken" }));
        Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgery());
    }

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));

    protected UploadOptions Limits { get; } = new() { MaxFileBytes = 10_000, MaxPartBytes = 4_000 };

    protected IDbContextFactory<CatalogDbContext> Catalog { get; }

    protected Guid UserId { get; } = Guid.NewGuid();

    protected void SignIn(string email, params string[] roles)
    {
        var authorization = AddAuthorization();
        authorization.SetAuthorized(email);
        authorization.SetRoles(roles);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId.ToString()));
    }

    protected async Task<RiderProfile> AddRiderAsync(string email, RiderCategory category = RiderCategory.Private, Guid? technicianId = null, bool approved = false, Guid? id = null)
    {
        var rider = new RiderProfile
        {
            UserId = id ?? Guid.NewGuid(),
            Email = email,
            DisplayName = email,
            Category = category,
            TechnicianId = technicianId,
            TeamMembershipApproved = approved,
        };
        await using var db = await Catalog.CreateDbContextAsync();
        db.Riders.Add(rider);
        await db.SaveChangesAsync();
        return rider;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await keepAlive.DisposeAsync();
    }

    private sealed class TestCatalogFactory(DbContextOptions<SqliteCatalogDbContext> options) : IDbContextFactory<CatalogDbContext>
    {
        public CatalogDbContext CreateDbContext() => new SqliteCatalogDbContext(options);
    }

    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("test-antiforgery-token", "__RequestVerificationToken");
    }
}
