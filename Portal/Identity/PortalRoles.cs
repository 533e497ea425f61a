namespace Portal.Identity;

/// <summary>The four roles; names are stored in the database and carried in tokens, so they never change.</summary>
public static class PortalRoles
{
    public const string Rider = "Rider";
    public const string Technician = "Technician";
    public const string RnD = "RnD";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Rider, Technician, RnD, Admin];

    /// <summary>Roles only an admin may give; riders register themselves.</summary>
    public static readonly IReadOnlyList<string> StaffRoles = [Technician, RnD, Admin];
}

/// <summary>Authorization policy names; pages and endpoints name these rather than roles.</summary>
public static class PortalPolicies
{
    public const string RiderOnly = "RiderOnly";
    public const string AdminOnly = "AdminOnly";
    public const string RnDOrAdmin = "RnDOrAdmin";
    public const string TechnicianOrAdmin = "TechnicianOrAdmin";
}
