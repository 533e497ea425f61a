using Microsoft.JSInterop;

namespace Portal.Components.Shared.Time;

/// <summary>
/// The user's time zone as the browser reports it, read once per circuit through JS interop. Until it is known
/// (prerendering, before the first interactive render) times show in UTC and say so.
/// </summary>
public sealed class BrowserTimeZone(IJSRuntime js)
{
    public const string JsFunction = "portalTimeZone";

    private Task<TimeZoneInfo>? _reading;

    /// <summary>The zone once read, else UTC.</summary>
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public bool Known { get; private set; }

    /// <summary>Reads the zone (only the first call asks the browser); call it after the first render, when JS is available.</summary>
    public Task<TimeZoneInfo> ResolveAsync() => _reading ??= ReadAsync();

    private async Task<TimeZoneInfo> ReadAsync()
    {
        try
        {
            var id = await js.InvokeAsync<string?>(JsFunction);
            Zone = Parse(id);
        }
        catch (Exception failure) when (failure is JSException or InvalidOperationException or TaskCanceledException or JSDisconnectedException)
        {
            // No browser (prerendering, a test without JS) or an unknown zone: UTC, which every page labels.
            Zone = TimeZoneInfo.Utc;
        }

        Known = true;
        return Zone;
    }

    /// <summary>An IANA id as browsers report it ("Europe/Rome"); anything unknown is UTC.</summary>
    public static TimeZoneInfo Parse(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
