using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Portal.Core.Devices;

namespace Portal.Components.Pages.Devices;

/// <summary>
/// /admin/device-profiles: list, create, edit and delete device profiles (through <see cref="DeviceProfileCatalog"/>, like
/// the API); or upload a sample file, see the suggested profile and a preview of the metrics (<see cref="DeviceProfileSuggester"/>),
/// adjust it, preview again and save.
/// </summary>
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
    private DeviceProfileDraft? initial;
    private byte[]? sample;
    private bool sampleTruncated;
    private string sampleName = "sample";
    private DeviceProfileSuggestion? suggestion;
    private bool previewed;
    private bool reading;

    /// <summary>Largest sample accepted from the browser; only its first <see cref="DeviceProfileSuggester.MaxSampleBytes"/> are read.</summary>
    private const long MaxUploadBytes = 4L * 1024 * 1024 * 1024;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject] private DeviceProfileSuggester Suggester { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        directory = new DeviceDirectory(Scopes);
        await LoadAsync();
    }

    private async Task LoadAsync() => profiles = await directory.ProfilesAsync();

    private void OpenEditor(DeviceProfileView? profile)
    {
        (editing, selected, errors, message, initial) = (true, profile, null, null, null);
        editorKey++;
    }

    private void CloseEditor() => (editing, selected, errors, initial) = (false, null, null, null);

    private async Task SampleChosenAsync(InputFileChangeEventArgs e)
    {
        (reading, message, suggestion, previewed) = (true, null, null, false);
        try
        {
            await using var stream = e.File.OpenReadStream(MaxUploadBytes);
            (sample, sampleTruncated) = await DeviceProfileSuggester.ReadSampleAsync(stream, CancellationToken.None);
            sampleName = e.File.Name;
            if (sample.Length == 0)
            {
                (failed, message, sample) = (true, $"{e.File.Name} is empty.", null);
                return;
            }

            suggestion = await Suggester.SuggestAsync(sample, sampleTruncated, adjusted: null, CancellationToken.None);
        }
        catch (IOException ex)
        {
            (failed, message, sample) = (true, $"{e.File.Name} could not be read: {ex.Message}", null);
        }
        finally
        {
            reading = false;
        }
    }

    private void UseSuggestion(DeviceProfileDraft draft)
    {
        (editing, selected, errors, message, initial) = (true, null, null, null, draft);
        editorKey++;
    }

    /// <summary>Analyses the sample again with the profile as the admin edited it; a draft with errors shows them instead.</summary>
    private async Task PreviewAsync(DeviceProfileDraft draft)
    {
        if (sample is null)
        {
            return;
        }

        var validation = DeviceProfileRules.Validate(draft with { Name = DeviceProfileRules.CleanName(draft.Name) ?? "preview" }, out var profile);
        if (profile is null)
        {
            errors = validation;
            return;
        }

        errors = null;
        suggestion = await Suggester.SuggestAsync(sample, sampleTruncated, profile, CancellationToken.None);
        previewed = true;
    }

    private async Task SaveAsync(DeviceProfileDraft draft)
    {
        var result = selected is { } existing
            ? await directory.UpdateProfileAsync(existing.Name, draft)
            : await directory.CreateProfileAsync(draft);
        switch (result.Outcome)
        {
            case DeviceProfileOutcome.Saved:
                CloseEditor();
                (failed, message, suggestion, sample, previewed) = (false, $"Profile {result.Profile!.Name} saved.", null, null, false);
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
        $"accel {view.Profile.Acceleration}, gyro {view.Profile.AngularRate}, speed {view.Profile.Speed}, time {view.Profile.Time}"
        + (view.Profile.Mount is { } mount ? FormattableString.Invariant($", mount {mount.Roll}/{mount.Pitch}/{mount.Yaw}°") : "");
}
