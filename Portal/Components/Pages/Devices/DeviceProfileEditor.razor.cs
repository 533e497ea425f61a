using Microsoft.AspNetCore.Components;
using Portal.Core.Analytics;
using Portal.Core.Devices;

namespace Portal.Components.Pages.Devices;

/// <summary>
/// The fields of one profile. It starts from <see cref="Existing"/> (the page gives the editor a new @key per
/// profile, so the copy is taken once) and hands a draft to <see cref="Save"/>; the page shows the catalog's
/// validation messages through <see cref="Errors"/>, each under its field.
/// </summary>
public sealed partial class DeviceProfileEditor
{
    private readonly Dictionary<string, string?> columns = DeviceProfileRules.Channels.ToDictionary(c => c, _ => (string?)null, StringComparer.Ordinal);
    private string? name;
    private string? description;
    private string acceleration = nameof(AccelerationUnit.Auto);
    private string angularRate = nameof(AngularRateUnit.DegreesPerSecond);
    private string speed = nameof(SpeedUnit.KilometersPerHour);
    private string time = nameof(TimeBase.Auto);

    /// <summary>The profile to edit; null for a new one.</summary>
    [Parameter] public DeviceProfileView? Existing { get; set; }

    /// <summary>Field → messages from the last save.</summary>
    [Parameter] public IReadOnlyDictionary<string, string[]>? Errors { get; set; }

    [Parameter, EditorRequired] public EventCallback<DeviceProfileDraft> Save { get; set; }

    [Parameter] public EventCallback Cancel { get; set; }

    protected override void OnInitialized()
    {
        if (Existing is not { } existing)
        {
            return;
        }

        name = existing.Name;
        description = existing.Description;
        foreach (var (channel, column) in existing.Profile.Columns)
        {
            columns[channel] = column;
        }

        acceleration = existing.Profile.Acceleration.ToString();
        angularRate = existing.Profile.AngularRate.ToString();
        speed = existing.Profile.Speed.ToString();
        time = existing.Profile.Time.ToString();
    }

    private bool Has(string field) => Errors?.ContainsKey(field) == true;

    private string? ErrorOf(string field) => Errors?.TryGetValue(field, out var messages) == true ? string.Join(" ", messages) : null;

    private Task SaveAsync() =>
        Save.InvokeAsync(new DeviceProfileDraft(name, description, new Dictionary<string, string?>(columns), acceleration, angularRate, speed, time));
}
