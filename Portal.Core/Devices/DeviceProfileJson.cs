using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core.Analytics;

namespace Portal.Core.Devices;

/// <summary>How a <see cref="DeviceProfile"/> is written as JSON: camelCase keys, units by name (as in profile files).</summary>
public static class DeviceProfileJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string Serialize(DeviceProfile profile) => JsonSerializer.Serialize(profile, Options);

    /// <summary>The stored profile, renamed to its catalog name (the JSON's own name is not trusted).</summary>
    public static DeviceProfile Deserialize(StoredDeviceProfile stored) =>
        (JsonSerializer.Deserialize<DeviceProfile>(stored.ProfileJson, Options) ?? new DeviceProfile { Name = stored.Name }) with { Name = stored.Name };
}
