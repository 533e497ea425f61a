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
    private double? mountRoll;
    private double? mountPitch;
    private double? mountYaw;

    /// <summary>The profile to edit; null for a new one.</summary>
    [Parameter] public DeviceProfileView? Existing { get; set; }

    /// <summary>Values to start a new profile from (a suggestion from a sample file); ignored when editing.</summary>
    [Parameter] public DeviceProfileDraft? Initial { get; set; }

    /// <summary>When set, a button previews the analysis of the page's sample with the fields as they are.</summary>
    [Parameter] public EventCallback<DeviceProfileDraft> Preview { get; set; }

    /// <summary>Field → messages from the last save.</summary>
    [Parameter] public IReadOnlyDictionary<string, string[]>? Errors { get; set; }

    [Parameter, EditorRequired] public EventCallback<DeviceProfileDraft> Save { get; set; }

    [Parameter] public EventCallback Cancel { get; set; }

    protected override void OnInitialized()
    {
        if (Existing is { } existing)
        {
            Fill(DeviceProfileSuggester.DraftOf(existing.Profile) with { Description = existing.Description });
        }
        else if (Initial is { } initial)
        {
            Fill(initial);
        }
    }

    private void Fill(DeviceProfileDraft draft)
    {
        name = draft.Name;
        description = draft.Description;
        foreach (var (channel, column) in draft.Columns ?? new Dictionary<string, string?>())
        {
            if (columns.ContainsKey(channel))
            {
                columns[channel] = column;
            }
        }

        acceleration = draft.Acceleration ?? acceleration;
        angularRate = draft.AngularRate ?? angularRate;
        speed = draft.Speed ?? speed;
        time = draft.Time ?? time;
        (mountRoll, mountPitch, mountYaw) = (draft.Mount?.Roll, draft.Mount?.Pitch, draft.Mount?.Yaw);
    }

    private DeviceProfileDraft Draft() =>
        new(name, description, new Dictionary<string, string?>(columns), acceleration, angularRate, speed, time, new DeviceProfileMountDraft(mountRoll, mountPitch, mountYaw));

    private Task PreviewAsync() => Preview.InvokeAsync(Draft());

    private bool Has(string field) => Errors?.ContainsKey(field) == true;

    private string? ErrorOf(string field) => Errors?.TryGetValue(field, out var messages) == true ? string.Join(" ", messages) : null;

    private Task SaveAsync() => Save.InvokeAsync(Draft());
}
