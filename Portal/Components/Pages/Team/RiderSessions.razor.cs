using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Components.Charts;
using Portal.Core.Catalog;

namespace Portal.Components.Pages.Team;

/// <summary>One rider's sessions the caller may see, with key metrics and their trend over time.</summary>
public sealed partial class RiderSessions
{
    private Guid? loadedRiderId;
    private string? riderEmail;
    private IReadOnlyList<RiderSession>? sessions;
    private IReadOnlyList<TrendPoint> maxSpeedTrend = [];
    private IReadOnlyList<TrendPoint> maxLeanTrend = [];
    private IReadOnlyList<TrendPoint> distanceTrend = [];

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Parameter, EditorRequired] public Guid RiderId { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (loadedRiderId == RiderId)
        {
            return;
        }

        loadedRiderId = RiderId;
        sessions = null;
        var caller = (await AuthenticationState).User.ToRideCaller();
        if (caller is null)
        {
            sessions = [];
            return;
        }

        await using var db = await Catalog.CreateDbContextAsync();
        var found = await db.SessionsOfAsync(caller, RiderId, CancellationToken.None);
        // Only a rider whose sessions the caller may see is named: no probing of e-mails by id.
        riderEmail = found.Count > 0 || caller.SeesAllRides
            ? await db.Riders.AsNoTracking().Where(r => r.UserId == RiderId).Select(r => r.Email).FirstOrDefaultAsync()
            : null;
        sessions = found;
        var analysed = found.Where(s => s.Status == RideStatus.Analyzed).OrderBy(s => s.UploadedAt).ToList();
        maxSpeedTrend = analysed.Select(s => new TrendPoint(s.UploadedAt.UtcDateTime, s.MaxSpeedKmh)).ToList();
        maxLeanTrend = analysed.Select(s => new TrendPoint(s.UploadedAt.UtcDateTime, s.MaxLeanDeg)).ToList();
        distanceTrend = analysed.Select(s => new TrendPoint(s.UploadedAt.UtcDateTime, s.DistanceKm)).ToList();
    }

    private static Color StatusColor(RideStatus status) => status switch
    {
        RideStatus.Analyzed => Color.Success,
        RideStatus.Failed => Color.Error,
        RideStatus.Processing => Color.Info,
        _ => Color.Default,
    };

    private static string StatusText(RiderSession session) => session.Status switch
    {
        RideStatus.Analyzed => "Analysed",
        RideStatus.Processing => $"Processing {session.ProgressPercent} %",
        RideStatus.Failed => $"Rejected ({session.FailureCode})",
        _ => "Queued",
    };

    private static string? StatusTooltip(RiderSession session) => session.Status == RideStatus.Failed ? session.FailureMessage : null;
}
