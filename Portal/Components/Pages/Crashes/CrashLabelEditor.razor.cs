using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Crashes;

/// <summary>Sets R&amp;D's label and notes through the same handler as PUT /api/crashes/{id}/label.</summary>
public sealed partial class CrashLabelEditor
{
    /// <summary>The catalog's column size for notes.</summary>
    public const int MaxNotesLength = 4000;

    private CrashLabel label;
    private string? notes;
    private string? message;
    private bool failed;
    private bool saving;
    private (Guid, CrashLabel, string?)? shown;

    [Parameter, EditorRequired] public Guid CrashId { get; set; }

    [Parameter] public CrashLabel Label { get; set; }

    [Parameter] public string? Notes { get; set; }

    /// <summary>Receives the crash as stored after a successful save.</summary>
    [Parameter] public EventCallback<CrashDto> Saved { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    protected override void OnParametersSet()
    {
        // Start editing from the stored verdict, and again whenever a different one is handed in.
        if (shown != (CrashId, Label, Notes))
        {
            shown = (CrashId, Label, Notes);
            label = Label;
            notes = Notes;
        }
    }

    private async Task SaveAsync()
    {
        if (notes is { Length: > MaxNotesLength })
        {
            (failed, message) = (true, $"Notes are limited to {MaxNotesLength} characters (these have {notes.Length}).");
            return;
        }

        saving = true;
        try
        {
            var user = (await AuthenticationState).User;
            await using var db = await Catalog.CreateDbContextAsync();
            var result = await CrashesApi.LabelCrash(CrashId, new CrashLabelRequest(label, notes), user, db, Time, CancellationToken.None);
            if (result.Result is Ok<CrashDto> ok && ok.Value is { } stored)
            {
                (failed, message) = (false, $"Saved: {CrashLabelChip.TextOf(stored.Label)}.");
                await Saved.InvokeAsync(stored);
            }
            else
            {
                (failed, message) = (true, "This crash no longer exists.");
            }
        }
        catch (DbUpdateException failure)
        {
            (failed, message) = (true, $"The verdict was not saved: {failure.GetBaseException().Message}");
        }
        finally
        {
            saving = false;
        }
    }
}
