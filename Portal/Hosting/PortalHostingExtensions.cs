namespace Portal.Hosting;

/// <summary>The portal's own areas; each is filled in by its feature. Program.cs reads as their table of contents.</summary>
public static class PortalHostingExtensions
{
    /// <summary>Embedded defaults (data directory, printed URL) and options validation.</summary>
    public static IHostApplicationBuilder AddPortalDefaults(this IHostApplicationBuilder builder) => builder;

    public static IHostApplicationBuilder AddPortalIdentity(this IHostApplicationBuilder builder) => builder;

    /// <summary>OpenAPI document, API reference page, ProblemDetails.</summary>
    public static IHostApplicationBuilder AddPortalApi(this IHostApplicationBuilder builder) => builder;

    public static IHostApplicationBuilder AddPortalUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        return builder;
    }

    public static IHostApplicationBuilder AddPortalHealthChecks(this IHostApplicationBuilder builder) => builder;

    /// <summary>Migrations, buckets, demo accounts: everything a fresh data directory needs before the first request.</summary>
    public static Task InitializePortalAsync(this WebApplication app) => Task.CompletedTask;

    public static WebApplication UsePortalPipeline(this WebApplication app)
    {
        app.UseAntiforgery();
        return app;
    }

    public static IEndpointRouteBuilder MapPortalHealthChecks(this IEndpointRouteBuilder endpoints) => endpoints;

    /// <summary>/api/auth, /api/me and the OpenAPI document.</summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints) => endpoints;

    /// <summary>/hangfire for admins only.</summary>
    public static IEndpointRouteBuilder MapHangfirePanel(this IEndpointRouteBuilder endpoints) => endpoints;

    public static IEndpointRouteBuilder MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<Components.App>().AddInteractiveServerRenderMode();
        return app;
    }
}
