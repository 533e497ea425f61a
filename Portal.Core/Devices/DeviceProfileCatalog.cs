using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Analytics;
using Portal.Core.Catalog;

namespace Portal.Core.Devices;

/// <summary>What an admin submits for a profile; units are names so that a wrong one is reported against its field.</summary>
public sealed record DeviceProfileDraft(
    string? Name,
    string? Description = null,
    IReadOnlyDictionary<string, string?>? Columns = null,
    string? Acceleration = null,
    string? AngularRate = null,
    string? Speed = null,
    string? Time = null,
    DeviceProfileMountDraft? Mount = null);

/// <summary>A stated mount in degrees (roll about x, then pitch about y, then yaw about z); all three or none.</summary>
public sealed record DeviceProfileMountDraft(double? Roll, double? Pitch, double? Yaw);

/// <summary>A stored profile as lists and editors show it.</summary>
public sealed record DeviceProfileView(string Name, string? Description, DeviceProfile Profile, int DeviceCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public enum DeviceProfileOutcome { Saved, Deleted, Invalid, NotFound, NameTaken, InUse }

/// <param name="Errors">Field (<c>name</c>, <c>description</c>, <c>columns.ax</c>, <c>acceleration</c> …) → messages, when <see cref="Outcome"/> is Invalid.</param>
/// <param name="DevicesUsing">Devices bound to the profile, when <see cref="Outcome"/> is InUse.</param>
public sealed record DeviceProfileResult(
    DeviceProfileOutcome Outcome,
    DeviceProfileView? Profile = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    int DevicesUsing = 0);

/// <summary>The rules a profile must follow; shared by the API, the admin page and the catalog configuration.</summary>
public static partial class DeviceProfileRules
{
    public const int MaxNameLength = 128;
    public const int MaxDescriptionLength = 1000;
    public const int MaxColumnNameLength = 128;

    /// <summary>The canonical channels a profile may map (ride-format.md), in file order.</summary>
    public static readonly IReadOnlyList<string> Channels =
        ["timestamp", "ax", "ay", "az", "gx", "gy", "gz", "mx", "my", "mz", "speed", "lat", "lon", "alt"];

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 ._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>Trimmed; null for null or blank.</summary>
    public static string? CleanName(string? name) => string.IsNullOrWhiteSpace(name) ? null : name.Trim();

    /// <summary>Field → messages; empty when the draft makes a valid profile (returned in <paramref name="profile"/>).</summary>
    public static Dictionary<string, string[]> Validate(DeviceProfileDraft draft, out DeviceProfile? profile)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        var name = CleanName(draft.Name);
        if (name is null)
        {
            Add("name", "A profile needs a name.");
        }
        else if (name.Length > MaxNameLength)
        {
            Add("name", $"A profile name is at most {MaxNameLength} characters.");
        }
        else if (!NamePattern().IsMatch(name))
        {
            Add("name", "A profile name starts with a letter or digit and holds only letters, digits, spaces, '.', '_' and '-'.");
        }

        if (draft.Description?.Trim().Length > MaxDescriptionLength)
        {
            Add("description", $"A description is at most {MaxDescriptionLength} characters.");
        }

        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        var channelOfColumn = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (rawChannel, rawColumn) in draft.Columns ?? new Dictionary<string, string?>())
        {
            var channel = rawChannel.Trim().ToLowerInvariant();
            var column = rawColumn?.Trim() ?? "";
            if (column.Length == 0)
            {
                continue; // An empty mapping leaves the channel to guessing.
            }

            if (!Channels.Contains(channel))
            {
                Add($"columns.{rawChannel}", $"'{rawChannel}' is not a channel; use one of {string.Join(", ", Channels)}.");
            }
            else if (column.Length > MaxColumnNameLength)
            {
                Add($"columns.{channel}", $"A column name is at most {MaxColumnNameLength} characters.");
            }
            else if (channelOfColumn.TryGetValue(column, out var other))
            {
                Add($"columns.{channel}", $"Column '{column}' already feeds {other}; one file column feeds one channel.");
            }
            else
            {
                channelOfColumn[column] = channel;
                columns[channel] = column;
            }
        }

        var acceleration = ParseUnit(draft.Acceleration, AccelerationUnit.Auto, "acceleration", "an acceleration unit", Add);
        var angularRate = ParseUnit(draft.AngularRate, AngularRateUnit.DegreesPerSecond, "angularRate", "an angular-rate unit", Add);
        var speed = ParseUnit(draft.Speed, SpeedUnit.KilometersPerHour, "speed", "a speed unit", Add);
        var time = ParseUnit(draft.Time, TimeBase.Auto, "time", "a time base", Add);
        var mount = ParseMount(draft.Mount, Add);

        profile = errors.Count == 0
            ? new DeviceProfile { Name = name!, Columns = columns, Acceleration = acceleration, AngularRate = angularRate, Speed = speed, Time = time, Mount = mount }
            : null;
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>No mount (all three empty) lets the analysis estimate it; a stated one needs all three angles within ±180°.</summary>
    private static SensorMount? ParseMount(DeviceProfileMountDraft? draft, Action<string, string> addError)
    {
        if (draft is null || (draft.Roll is null && draft.Pitch is null && draft.Yaw is null))
        {
            return null;
        }

        var valid = true;
        foreach (var (field, value) in new[] { ("roll", draft.Roll), ("pitch", draft.Pitch), ("yaw", draft.Yaw) })
        {
            if (value is not { } angle)
            {
                addError($"mount.{field}", $"A mount states roll, pitch and yaw; {field} is missing (leave all three empty to let the analysis estimate the mount).");
                valid = false;
            }
            else if (!double.IsFinite(angle) || angle is < -180 or > 180)
            {
                addError($"mount.{field}", $"{field} is an angle in degrees from -180 to 180.");
                valid = false;
            }
        }

        return valid ? new SensorMount(draft.Roll!.Value, draft.Pitch!.Value, draft.Yaw!.Value) : null;
    }

    private static TUnit ParseUnit<TUnit>(string? value, TUnit fallback, string field, string what, Action<string, string> addError)
        where TUnit : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (Enum.TryParse<TUnit>(value.Trim(), ignoreCase: true, out var unit) && Enum.IsDefined(unit) && !int.TryParse(value, out _))
        {
            return unit;
        }

        addError(field, $"'{value}' is not {what}; use one of {string.Join(", ", Enum.GetNames<TUnit>())}.");
        return fallback;
    }
}

/// <summary>
/// Device profiles stored in the catalog: list, create, edit and delete them (refused while a device uses
/// the profile). Scoped, on the catalog DbContext; the API and the admin page both go through it.
/// </summary>
public sealed class DeviceProfileCatalog(CatalogDbContext catalog, TimeProvider time)
{
    private DbSet<StoredDeviceProfile> Profiles => catalog.Set<StoredDeviceProfile>();

    public async Task<IReadOnlyList<DeviceProfileView>> ListAsync(CancellationToken cancellationToken)
    {
        var stored = await Profiles.AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);
        var counts = await DeviceCountsAsync(cancellationToken);
        return [.. stored.Select(p => ToView(p, counts.GetValueOrDefault(p.Name)))];
    }

    /// <summary>The names, for pickers.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(CancellationToken cancellationToken) =>
        await Profiles.AsNoTracking().OrderBy(p => p.Name).Select(p => p.Name).ToListAsync(cancellationToken);

    public async Task<DeviceProfileView?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var stored = await Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.Name == name, cancellationToken);
        return stored is null ? null : ToView(stored, await Devices.CountAsync(d => d.ProfileName == name && !d.Disabled, cancellationToken));
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) => catalog.DeviceProfileExistsAsync(name, cancellationToken);

    public async Task<DeviceProfileResult> CreateAsync(DeviceProfileDraft draft, CancellationToken cancellationToken)
    {
        var errors = DeviceProfileRules.Validate(draft, out var profile);
        if (profile is null)
        {
            return new DeviceProfileResult(DeviceProfileOutcome.Invalid, Errors: errors);
        }

        if (await ExistsAsync(profile.Name, cancellationToken))
        {
            return new DeviceProfileResult(DeviceProfileOutcome.NameTaken);
        }

        var now = time.GetUtcNow();
        var stored = new StoredDeviceProfile
        {
            Id = Guid.CreateVersion7(now),
            Name = profile.Name,
            Description = CleanDescription(draft.Description),
            ProfileJson = DeviceProfileJson.Serialize(profile),
            CreatedAt = now,
            UpdatedAt = now,
        };
        Profiles.Add(stored);
        try
        {
            await catalog.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            catalog.Entry(stored).State = EntityState.Detached;
            if (await ExistsAsync(profile.Name, CancellationToken.None))
            {
                // Another admin created the same name a moment earlier: the unique index decided.
                return new DeviceProfileResult(DeviceProfileOutcome.NameTaken);
            }

            throw;
        }

        return new DeviceProfileResult(DeviceProfileOutcome.Saved, ToView(stored, 0));
    }

    /// <summary>Replaces the profile's mapping, units and description; the name stays (devices and rides refer to it).</summary>
    public async Task<DeviceProfileResult> UpdateAsync(string name, DeviceProfileDraft draft, CancellationToken cancellationToken)
    {
        var stored = await Profiles.FirstOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (stored is null)
        {
            return new DeviceProfileResult(DeviceProfileOutcome.NotFound);
        }

        var errors = DeviceProfileRules.Validate(draft with { Name = stored.Name }, out var profile);
        if (profile is null)
        {
            return new DeviceProfileResult(DeviceProfileOutcome.Invalid, Errors: errors);
        }

        if (DeviceProfileRules.CleanName(draft.Name) is { } renamed && renamed != stored.Name)
        {
            return new DeviceProfileResult(DeviceProfileOutcome.Invalid, Errors: new Dictionary<string, string[]>
            {
                ["name"] = [$"A profile keeps its name ('{stored.Name}'): devices and rides refer to it. Create a new profile instead."],
            });
        }

        stored.Description = CleanDescription(draft.Description);
        stored.ProfileJson = DeviceProfileJson.Serialize(profile);
        stored.UpdatedAt = time.GetUtcNow();
        await catalog.SaveChangesAsync(cancellationToken);
        return new DeviceProfileResult(DeviceProfileOutcome.Saved, ToView(stored, await Devices.CountAsync(d => d.ProfileName == name && !d.Disabled, cancellationToken)));
    }

    /// <summary>Refused (InUse) while a device is bound to the profile; rides that named it fall back to guessing when re-analysed.</summary>
    public async Task<DeviceProfileResult> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var stored = await Profiles.FirstOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (stored is null)
        {
            return new DeviceProfileResult(DeviceProfileOutcome.NotFound);
        }

        var boundDevices = await Devices.CountAsync(d => d.ProfileName == name && !d.Disabled, cancellationToken);
        if (boundDevices > 0)
        {
            return new DeviceProfileResult(DeviceProfileOutcome.InUse, ToView(stored, boundDevices), DevicesUsing: boundDevices);
        }

        Profiles.Remove(stored);
        await catalog.SaveChangesAsync(cancellationToken);
        return new DeviceProfileResult(DeviceProfileOutcome.Deleted);
    }

    private DbSet<Device> Devices => catalog.Set<Device>();

    private async Task<Dictionary<string, int>> DeviceCountsAsync(CancellationToken cancellationToken) =>
        (await Devices.AsNoTracking().Where(d => d.ProfileName != null && !d.Disabled)
            .GroupBy(d => d.ProfileName!)
            .Select(g => new { Name = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken))
        .ToDictionary(g => g.Name, g => g.Count, StringComparer.Ordinal);

    private static string? CleanDescription(string? description) => string.IsNullOrWhiteSpace(description) ? null : description.Trim();

    private static DeviceProfileView ToView(StoredDeviceProfile stored, int deviceCount) =>
        new(stored.Name, stored.Description, DeviceProfileJson.Deserialize(stored), deviceCount, stored.CreatedAt, stored.UpdatedAt);
}

public static class DeviceProfileQueries
{
    /// <summary>Whether a profile of exactly this name is stored (uploads and device registration check it).</summary>
    public static Task<bool> DeviceProfileExistsAsync(this CatalogDbContext catalog, string name, CancellationToken cancellationToken) =>
        catalog.Set<StoredDeviceProfile>().AnyAsync(p => p.Name == name, cancellationToken);
}
