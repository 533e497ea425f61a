using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;
using Portal.Core.Catalog;
using Portal.Core.Devices;
using Portal.Jobs.Live;

namespace Portal.Tests.Ui.Devices;

/// <summary>
/// bUnit context for the device pages: MudBlazor with popover and dialog providers, a signed-in user, the catalog
/// on in-memory SQLite with the real device services (the same ones the API uses), a fake clock and live-ingest counters.
/// </summary>
public abstract class DevicesUiTestContext : BunitContext, IAsyncLifetime
{
    private readonly SqliteConnection keepAlive = new($"Data Source=devices-ui-{Guid.NewGuid():N};Mode=Memory;Cache=Shared");

    protected DevicesUiTestContext()
    {
        keepAlive.Open();
        using (var db = NewDb())
        {
            db.Database.EnsureCreated();
        }

        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<Portal.Components.Shared.Time.BrowserTimeZone>();
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddScoped<CatalogDbContext>(_ => NewDb());
        Services.AddDeviceRegistry();
        Services.AddSingleton(Metrics);
        Services.AddSingleton(new LiveIngestRole(HostsBroker: true, RunsSubscriber: true));
        Services.AddSingleton(Options.Create(new MqttOptions()));
    }

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));

    protected LiveIngestMetrics Metrics { get; } = new();

    protected Guid UserId { get; } = Guid.NewGuid();

    protected CatalogDbContext NewDb() =>
        new SqliteCatalogDbContext(new DbContextOptionsBuilder<SqliteCatalogDbContext>().UseSqlite(keepAlive.ConnectionString).Options);

    protected void SignIn(params string[] roles)
    {
        var authorization = AddAuthorization();
        authorization.SetAuthorized($"{UserId:N}@test.local");
        authorization.SetRoles(roles);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId.ToString()));
    }

    /// <summary>Dialogs and select menus render into these providers.</summary>
    protected IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        return Render<MudDialogProvider>();
    }

    protected async Task<RiderProfile> AddRiderAsync(string email, Guid? technicianId = null, bool approved = false)
    {
        var rider = new RiderProfile { UserId = Guid.NewGuid(), Email = email, DisplayName = email, TechnicianId = technicianId, TeamMembershipApproved = approved };
        await using var db = NewDb();
        db.Riders.Add(rider);
        await db.SaveChangesAsync();
        return rider;
    }

    protected async Task<Device> AddDeviceAsync(string name, Guid riderId, string? profile = null, DateTimeOffset? lastSeen = null)
    {
        await using var db = NewDb();
        var registered = await new DeviceRegistry(db, Clock).RegisterAsync(new DeviceRegistration(name, riderId, ProfileName: profile), CancellationToken.None);
        if (lastSeen is { } seen)
        {
            var device = await db.Set<Device>().SingleAsync(d => d.Id == registered.Device.Id);
            device.LastSeenAt = seen;
            device.MessagesAccepted = 42;
            device.MessagesRejected = 3;
            await db.SaveChangesAsync();
        }

        return registered.Device;
    }

    protected async Task AddProfileAsync(string name)
    {
        await using var db = NewDb();
        var result = await new DeviceProfileCatalog(db, Clock).CreateAsync(new DeviceProfileDraft(name, Columns: new Dictionary<string, string?> { ["timestamp"] = "t_ms" }), CancellationToken.None);
        Assert.Equal(DeviceProfileOutcome.Saved, result.Outcome);
    }

    /// <summary>The input of a MudTextField marked with <paramref name="testId"/> (the attribute may sit on the input or around it).</summary>
    protected static IElement InputOf<TComponent>(IRenderedComponent<TComponent> cut, string testId)
        where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        var element = cut.Find($"[data-testid={testId}]");
        return element.TagName == "INPUT" ? element : element.QuerySelector("input") ?? throw new InvalidOperationException($"{testId} holds no input");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await keepAlive.DisposeAsync();
    }
}
