using Microsoft.AspNetCore.Identity;

namespace Portal.Identity;

/// <summary>An account; the catalog's <see cref="Core.Catalog.RiderProfile"/> shares its id.</summary>
public sealed class PortalUser : IdentityUser<Guid>;
