namespace Portal.Core.Devices;

/// <summary>
/// A suit (or any telemetry source) that streams live rides. Authenticates with its id and a secret;
/// only a salted hash of the secret is stored.
/// </summary>
public sealed class Device
{
    /// <summary>Generated (<c>dev-xxxxxxxx</c>); also the device's MQTT client id and username.</summary>
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Model { get; set; }

    /// <summary>The rider who owns the rides this device records.</summary>
    public Guid RiderId { get; set; }

    /// <summary>The device profile (column mapping, units) the analysis applies to its rides.</summary>
    public string? ProfileName { get; set; }

    /// <summary>PBKDF2 hash of the secret, see <see cref="DeviceSecretHasher"/>.</summary>
    public string SecretHash { get; set; } = "";
    public bool Disabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public long MessagesAccepted { get; set; }
    public long MessagesRejected { get; set; }
}
