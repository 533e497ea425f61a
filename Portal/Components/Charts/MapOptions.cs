using Microsoft.Extensions.Options;

namespace Portal.Components.Charts;

/// <summary>The <c>Map</c> configuration section: the tiles under the ride map (docs/charts.md).</summary>
public sealed class MapOptions
{
    public const string Section = "Map";

    /// <summary>Raster tile URL with <c>{z}</c>, <c>{x}</c>, <c>{y}</c>; empty: no tiles, the plain track plot.</summary>
    public string? TileUrlTemplate { get; set; } = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

    /// <summary>The credit the tile provider requires, shown on the map.</summary>
    public string? Attribution { get; set; } = "© OpenStreetMap contributors";
}

public sealed class MapOptionsValidator : IValidateOptions<MapOptions>
{
    public ValidateOptionsResult Validate(string? name, MapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.TileUrlTemplate))
        {
            var template = options.TileUrlTemplate;
            var probe = template.Replace("{z}", "0", StringComparison.Ordinal).Replace("{x}", "0", StringComparison.Ordinal).Replace("{y}", "0", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{MapOptions.Section}:{nameof(MapOptions.TileUrlTemplate)} must be an absolute http(s) URL (was '{template}').");
            }

            foreach (var placeholder in new[] { "{z}", "{x}", "{y}" })
            {
                if (!template.Contains(placeholder, StringComparison.Ordinal))
                {
                    failures.Add($"{MapOptions.Section}:{nameof(MapOptions.TileUrlTemplate)} must contain {placeholder} (was '{template}').");
                }
            }

            if (string.IsNullOrWhiteSpace(options.Attribution))
            {
                failures.Add($"{MapOptions.Section}:{nameof(MapOptions.Attribution)} is required with a tile URL (tile providers require their credit on the map).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
