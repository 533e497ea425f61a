using Microsoft.AspNetCore.Components;
using Portal.Core.Devices;

namespace Portal.Components.Pages.Devices;

/// <summary>/admin/device-profiles: list, create, edit and delete device profiles (through <see cref="DeviceProfileCatalog"/>, like the API).</summary>
public sealed partial class AdminDeviceProfiles
{
    private DeviceDirectory directory = default!;
    private IReadOnlyList<DeviceProfileView>? profiles;
    private bool editing;
    private DeviceProfileView? selected;
    private IReadOnlyDictionary<string, string[]>? errors;
    private int editorKey;
    private string? message;
    private bool failed;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        directory = new DeviceDirectory(Scopes);
        await LoadAsync();
    }

    private async Task LoadAsync() => profiles = await directory.ProfilesAsync();

    private void OpenEditor(DeviceProfileView? profile)
    {
        (editing, selected, errors, message) = (true, profile, null, null);
        editorKey++;
    }

    private void CloseEditor() => (editing, selected, errors) = (false, null, null);

    private async Task SaveAsync(DeviceProfileDraft draft)
    {
        var result = selected is { } existing
            ? await directory.UpdateProfileAsync(existing.Name, draft)
            : await directory.CreateProfileAsync(draft);
        switch (result.Outcome)
        {
            case DeviceProfileOutcome.Saved:
                CloseEditor();
                (failed, message) = (false, $"Profile {result.Profile!.Name} saved.");
                await LoadAsync();
                break;
            case DeviceProfileOutcome.Invalid:
                errors = result.Errors;
                break;
            case DeviceProfileOutcome.NameTaken:
                errors = new Dictionary<string, string[]> { ["name"] = [$"A profile named '{DeviceProfileRules.CleanName(draft.Name)}' exists already."] };
                break;
            default:
                CloseEditor();
                (failed, message) = (true, "The profile no longer exists.");
                await LoadAsync();
                break;
        }
    }

    private async Task DeleteAsync(DeviceProfileView profile)
    {
        var result = await directory.DeleteProfileAsync(profile.Name);
        (failed, message) = result.Outcome switch
        {
            DeviceProfileOutcome.Deleted => (false, $"Profile {profile.Name} deleted."),
            DeviceProfileOutcome.InUse => (true, $"Profile {profile.Name} is used by {result.DevicesUsing} device(s) and cannot be deleted; disable those devices first."),
            _ => (true, $"Profile {profile.Name} no longer exists."),
        };
        await LoadAsync();
    }

    private static string ColumnSummary(DeviceProfileView view) =>
        view.Profile.Columns.Count == 0
            ? "all guessed"
            : string.Join(", ", DeviceProfileRules.Channels.Where(view.Profile.Columns.ContainsKey).Select(c => $"{c} ← {view.Profile.Columns[c]}"));

    private static string UnitSummary(DeviceProfileView view) =>
        $"accel {view.Profile.Acceleration}, gyro {view.Profile.AngularRate}, speed {view.Profile.Speed}, time {view.Profile.Time}";
}
