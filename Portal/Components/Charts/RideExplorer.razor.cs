using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Laps;

namespace Portal.Components.Charts;

/// <summary>
/// The ride explored like a lap-timer app (wwwroot/js/ride-explorer.js, plotly.js): zoomable traces on time or distance,
/// one cursor shared by the traces, the g-g diagram and the map, a read-out of every channel, the track on map tiles.
/// Until the browser takes over (and wherever script does not run: prerendering, bUnit) the server-drawn charts show.
/// </summary>
public sealed partial class RideExplorer : IAsyncDisposable
{
    private const double LapLineHalfWidthM = 20;

    private ElementReference _root;
    private IJSObjectReference? _module;
    private Guid _mountedFor;

    [Parameter, EditorRequired] public Guid RideId { get; set; }

    /// <summary>The stored traces, for the server-drawn charts shown before (or without) the interactive ones.</summary>
    [Parameter, EditorRequired] public RideTraces Traces { get; set; } = new([], []);

    [Parameter] public double? CrashTimeS { get; set; }

    [Parameter] public double? CrashLatitude { get; set; }

    [Parameter] public double? CrashLongitude { get; set; }

    /// <summary>The start/finish line the laps are timed at, drawn across the track.</summary>
    [Parameter] public StartFinishLine? LapLine { get; set; }

    [Inject] private IJSRuntime JS { get; set; } = default!;

    [Inject] private IOptions<MapOptions> Map { get; set; } = default!;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_mountedFor == RideId)
        {
            return;
        }

        _mountedFor = RideId;
        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/ride-explorer.js");
            await _module.InvokeVoidAsync("mount", _root, new
            {
                rideId = RideId,
                crashTimeS = CrashTimeS,
                crash = CrashLatitude is { } lat && CrashLongitude is { } lon ? new { lat, lon } : null,
                lapLine = LapLineEnds(LapLine),
                tileUrl = string.IsNullOrWhiteSpace(Map.Value.TileUrlTemplate) ? null : Map.Value.TileUrlTemplate,
                attribution = Map.Value.Attribution,
            });
        }
        catch (JSDisconnectedException)
        {
            // The circuit went away while mounting: nothing to draw any more.
        }
    }

    /// <summary>The line's two ends, <see cref="LapLineHalfWidthM"/> either side of its point, across the direction of travel.</summary>
    internal static object? LapLineEnds(StartFinishLine? line)
    {
        if (line is null)
        {
            return null;
        }

        var across = (line.HeadingDeg + 90) * Math.PI / 180;
        var dNorth = Math.Cos(across) * LapLineHalfWidthM / 110_574;
        var dEast = Math.Sin(across) * LapLineHalfWidthM / (111_320 * Math.Cos(line.Latitude * Math.PI / 180));
        return new
        {
            lat = new[] { line.Latitude - dNorth, line.Latitude + dNorth },
            lon = new[] { line.Longitude - dEast, line.Longitude + dEast },
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("unmount", _root);
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser is gone; so are the plots.
            }
        }
    }
}
