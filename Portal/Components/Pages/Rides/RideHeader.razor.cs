using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Api;
using Portal.Components.Shared.Time;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Rides;

/// <summary>
/// A ride's title, time and notes, with rename, notes and delete for the rider (and admins). The rules are
/// <see cref="RideEditing"/>'s; this only asks and shows the answer.
/// </summary>
public sealed partial class RideHeader
{
    private Guid shownRide;
    private string? title;
    private string? notes;
    private string? draftTitle;
    private string? draftNotes;
    private bool editing;
    private bool confirmingDelete;
    private bool busy;
    private bool mayChange;
    private string? error;

    [Parameter, EditorRequired] public RideDto Ride { get; set; } = default!;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject] private BrowserTimeZone Browser { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    private string DefaultTitle => RideTitles.Display(null, Ride.PlaceName, Ride.StartedAt, Browser.Zone);

    private string DisplayTitle => RideTitles.Display(title, Ride.PlaceName, Ride.StartedAt, Browser.Zone);

    protected override async Task OnParametersSetAsync()
    {
        // The page hands a fresh copy on every poll: keep what the rider just saved, reset only for another ride.
        if (shownRide != Ride.Id)
        {
            shownRide = Ride.Id;
            title = Ride.Title;
            notes = Ride.Notes;
            editing = false;
            confirmingDelete = false;
            error = null;
        }

        var caller = (await AuthenticationState).User.ToRideCaller();
        mayChange = caller is not null && (caller.UserId == Ride.OwnerId || caller.IsAdmin);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && !Browser.Known)
        {
            await Browser.ResolveAsync();
            StateHasChanged();
        }
    }

    private void StartEdit()
    {
        draftTitle = title;
        draftNotes = notes;
        error = null;
        confirmingDelete = false;
        editing = true;
    }

    private void CancelEdit()
    {
        editing = false;
        error = null;
    }

    private async Task SaveAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return;
        }

        busy = true;
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<RideEditing>()
                .UpdateAsync(caller, Ride.Id, new RideChanges(draftTitle ?? "", draftNotes ?? ""), CancellationToken.None);
            if (result.Outcome == RideEditOutcome.Done)
            {
                title = result.Ride!.Title;
                notes = result.Ride.Notes;
                editing = false;
                error = null;
                Snackbar.Add("Ride saved.", Severity.Normal);
            }
            else
            {
                // The draft stays in the form: nothing the rider typed is lost.
                error = result.Error ?? "The ride could not be saved.";
            }
        }
        finally
        {
            busy = false;
        }
    }

    private void AskDelete()
    {
        error = null;
        confirmingDelete = true;
    }

    private void CancelDelete()
    {
        confirmingDelete = false;
        error = null;
    }

    private async Task DeleteAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return;
        }

        busy = true;
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<RideEditing>().DeleteAsync(caller, Ride.Id, CancellationToken.None);
            if (result.Outcome == RideEditOutcome.Done)
            {
                Snackbar.Add("Ride deleted.", Severity.Normal);
                Navigation.NavigateTo("/rides");
            }
            else
            {
                error = result.Error ?? "The ride could not be deleted.";
            }
        }
        finally
        {
            busy = false;
        }
    }
}
