using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Components.Layout;
using Portal.Identity;

namespace Portal.Tests.Foundation;

/// <summary>The drawer shows each role its entries and nothing else.</summary>
[Trait("Category", "Foundation")]
public sealed class NavigationTests : BunitContext, IAsyncLifetime
{
    public NavigationTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<Portal.Components.Shared.Time.BrowserTimeZone>();
    }

    private IReadOnlyList<string> RenderedLinks(string? role)
    {
        var authorization = AddAuthorization();
        if (role is not null)
        {
            authorization.SetAuthorized($"{role.ToLowerInvariant()}@demo.local");
            authorization.SetRoles(role);
        }

        var nav = Render<NavMenu>();
        return [.. nav.FindAll("a").Select(a => a.GetAttribute("href") ?? "")];
    }

    [Fact]
    public void Anonymous_SeesNoEntries()
    {
        Assert.Empty(RenderedLinks(null));
    }

    [Theory]
    [InlineData(PortalRoles.Rider)]
    [InlineData(PortalRoles.RnD)]
    public void NonAdmins_SeeHomeButNoAdministration(string role)
    {
        var links = RenderedLinks(role);

        Assert.Contains("/", links);
        Assert.DoesNotContain(links, href => href.StartsWith("/admin", StringComparison.Ordinal));
    }

    [Fact]
    public void Technicians_SeeTheirTeamsDevices_ButNoOtherAdministration()
    {
        var links = RenderedLinks(PortalRoles.Technician);

        Assert.Contains("/", links);
        Assert.Equal(["/admin/devices"], links.Where(href => href.StartsWith("/admin", StringComparison.Ordinal)));
    }

    [Fact]
    public void Admin_SeesTheJobsDashboardAndHealth()
    {
        var links = RenderedLinks(PortalRoles.Admin);

        Assert.Contains("/", links);
        Assert.Contains("/admin/jobs", links);
        Assert.Contains("/admin/health", links);
    }

    [Fact]
    public void EveryEntry_IsAPageThatExists()
    {
        var routes = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), inherit: false))
            .Cast<Microsoft.AspNetCore.Components.RouteAttribute>()
            .Select(r => r.Template)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        string[] endpointsOutsideBlazor = ["/api/docs"];

        foreach (var item in PortalNavigation.Items)
        {
            Assert.True(routes.Contains(item.Href) || endpointsOutsideBlazor.Contains(item.Href), $"{item.Title} links {item.Href}, which no page serves.");
        }
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
