using MudBlazor.Services;
using Portal.Email;

namespace Portal.Hosting;

/// <summary>Blazor (interactive server) with MudBlazor; account pages render statically.</summary>
public static class UiHosting
{
    public static IHostApplicationBuilder AddPortalUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(mud =>
        {
            // Bottom right, three at most, no repeats: clear of the upload drop zone at the top of the upload page.
            mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight;
            mud.SnackbarConfiguration.MaxDisplayedSnackbars = 3;
            mud.SnackbarConfiguration.PreventDuplicates = true;
        });
        builder.Services.AddScoped<Components.Shared.Time.BrowserTimeZone>();
        builder.Services.AddScoped<Core.Rides.HomeOverview>();
        builder.Services.AddScoped<Components.Pages.RoleHomes.AdminHomeService>();
        builder.Services.AddOptions<Components.Charts.MapOptions>().BindConfiguration(Components.Charts.MapOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Components.Charts.MapOptions>, Components.Charts.MapOptionsValidator>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapMailPickup();
        app.MapRazorComponents<Components.App>().AddInteractiveServerRenderMode();
        return app;
    }
}
