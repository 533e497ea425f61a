using System.Security.Claims;
using MudBlazor;
using Portal.Identity;

namespace Portal.Components.Layout;

/// <summary>
/// The drawer's entries per role. A feature adds its line here when its page exists, never before:
/// the menu links only pages that work.
/// </summary>
public static class PortalNavigation
{
    public static readonly IReadOnlyList<NavItem> Items =
    [
        new("Home", "/", Icons.Material.Filled.Home, [], "Ride Portal"),
        new("Rides", "/rides", Icons.Material.Filled.TwoWheeler, [], "Ride Portal"),
        new("Upload rides", "/upload", Icons.Material.Filled.CloudUpload, [PortalRoles.Rider, PortalRoles.Technician, PortalRoles.Admin], "Ride Portal"),
        new("Live view", "/live", Icons.Material.Filled.Sensors, [], "Ride Portal"),
        new("Notifications", "/notifications", Icons.Material.Filled.Notifications, [], "Ride Portal"),
        new("Jobs", "/jobs", Icons.Material.Filled.PendingActions, [], "Ride Portal"),
        new("Crash folder", "/crashes", Icons.Material.Filled.CarCrash, [PortalRoles.RnD, PortalRoles.Admin], "R&D"),
        new("Professional sessions", "/pro-sessions", Icons.Material.Filled.SportsMotorsports, [PortalRoles.RnD, PortalRoles.Technician, PortalRoles.Admin], "R&D"),
        new("Team", "/team", Icons.Material.Filled.Groups, [PortalRoles.Technician, PortalRoles.Admin], "Team"),
        new("Bulk upload", "/team/upload", Icons.Material.Filled.DriveFolderUpload, [PortalRoles.Technician, PortalRoles.Admin], "Team"),
        new("Users", "/admin/users", Icons.Material.Filled.People, [PortalRoles.Admin], "Administration"),
        new("Devices", "/admin/devices", Icons.Material.Filled.Sensors, [PortalRoles.Technician, PortalRoles.Admin], "Administration"),
        new("Device profiles", "/admin/device-profiles", Icons.Material.Filled.TableChart, [PortalRoles.Admin], "Administration"),
        new("Retention", "/admin/retention", Icons.Material.Filled.AutoDelete, [PortalRoles.Admin], "Administration"),
        new("Jobs dashboard", "/admin/jobs", Icons.Material.Filled.Work, [PortalRoles.Admin], "Administration"),
        new("Health", "/admin/health", Icons.Material.Filled.MonitorHeart, [PortalRoles.Admin], "Administration"),
        new("API reference", "/api/docs", Icons.Material.Filled.Api, [], "Help"),
    ];

    /// <summary>The entries <paramref name="user"/> may see, in menu order.</summary>
    public static IReadOnlyList<NavItem> For(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
            ? [.. Items.Where(item => item.Roles.Count == 0 || item.Roles.Any(user.IsInRole))]
            : [];
}
