using System.Globalization;
using Hangfire;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Components.Pages.Rides;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Jobs;

/// <summary>/jobs: the jobs of the rides the person may see, with live state, progress, duration and failure reason.</summary>
public sealed partial class JobsOverview
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource stop = new();
    private PollingTimer? poller;
    private IReadOnlyList<VisibleJob>? jobs;
    private string? error;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private JobStorage Storage { get; set; } = default!;

    [Inject]
    private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    protected override Task OnInitializedAsync() => RefreshAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            // The same skip-if-busy timer as the ride pages, on the injected clock.
            poller = new PollingTimer(Time, RefreshInterval, () => InvokeAsync(async () =>
            {
                await RefreshAsync();
                StateHasChanged();
            }));
        }
    }

    private async Task RefreshAsync()
    {
        var user = (await AuthenticationState).User;
        if (user.ToRideCaller() is not { } caller)
        {
            jobs = [];
            return;
        }

        try
        {
            jobs = await RideJobsQuery.LoadAsync(Storage, Catalog, caller, Time, stop.Token);
            error = null;
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Keep the last list on screen; say why it is not fresh.
            error = $"The job list could not be refreshed: {failure.Message}";
        }
    }

    private static Color ColorOf(RideJobState state) => state switch
    {
        RideJobState.Succeeded => Color.Success,
        RideJobState.Failed => Color.Error,
        RideJobState.Processing => Color.Info,
        RideJobState.Retrying => Color.Warning,
        _ => Color.Default,
    };

    private static string FormatDuration(TimeSpan? duration) => duration switch
    {
        null => "—",
        { TotalSeconds: < 60 } d => d.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture),
        { TotalHours: < 1 } d => d.ToString(@"m\:ss", CultureInfo.InvariantCulture) + " min",
        { } d => d.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) + " h",
    };

    private static string FormatTime(DateTime? utc) =>
        utc is { } at ? at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    public async ValueTask DisposeAsync()
    {
        poller?.Dispose();
        await stop.CancelAsync();
        stop.Dispose();
    }
}
