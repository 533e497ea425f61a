namespace Portal.Core.Devices;

/// <summary>
/// A device profile kept in the catalog: the <see cref="Analytics.DeviceProfile"/> as JSON (the same shape as
/// the <c>analyze --profile</c> files), found by its unique name from uploads and devices.
/// </summary>
public sealed class StoredDeviceProfile
{
    public Guid Id { get; set; }

    /// <summary>Unique; uploads and devices refer to the profile by it, so it never changes after creation.</summary>
    public string Name { get; set; } = "";
    public string? Description { get; set; }

    /// <summary>The <see cref="Analytics.DeviceProfile"/> as JSON (camelCase, units by name).</summary>
    public string ProfileJson { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
