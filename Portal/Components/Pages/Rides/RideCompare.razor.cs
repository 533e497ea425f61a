using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Api;
using Portal.Components.Charts;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Components.Pages.Rides;

/// <summary>Two rides side by side: every metric in one table and their traces overlaid on one time axis.</summary>
public sealed partial class RideCompare
{
    private (Guid?, Guid?)? loadedPair;
    private bool loaded;
    private RideDto? first;
    private RideDto? second;
    private RideTraces? firstTraces;
    private RideTraces? secondTraces;

    [SupplyParameterFromQuery(Name = "a")] public Guid? A { get; set; }

    [SupplyParameterFromQuery(Name = "b")] public Guid? B { get; set; }

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private IObjectStorage Storage { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        if (loadedPair == (A, B))
        {
            return;
        }

        loadedPair = (A, B);
        loaded = false;
        (first, firstTraces) = await LoadAsync(A);
        (second, secondTraces) = await LoadAsync(B);
        loaded = true;
    }

    private async Task<(RideDto?, RideTraces?)> LoadAsync(Guid? rideId)
    {
        if (rideId is not { } id || (await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            return (null, null);
        }

        await using var db = await Catalog.CreateDbContextAsync();
        if (await db.FindVisibleRideAsync(caller, id, CancellationToken.None) is not { } ride)
        {
            return (null, null);
        }

        var traces = ride.Status == RideStatus.Analyzed ? await RideTracesReader.ReadAsync(Storage, id, CancellationToken.None) : null;
        return (RideDto.From(ride, Time.GetUtcNow()), traces);
    }

    private static string Cell(RideDto ride, RideMetricRow row) =>
        ride.Metrics is { } metrics ? MetricValue.Format(row.Read(metrics), row.Decimals, CultureInfo.CurrentCulture) : MetricValue.NotAvailable;
}
