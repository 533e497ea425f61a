using System.Globalization;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// Minimal <c>--name value</c> / <c>--flag</c> parsing shared by every command; errors name the option.
/// With <c>known</c>, options outside that list are refused.
/// </summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private CommandArguments()
    {
    }

    public IReadOnlyList<string> Positional { get; private set; } = [];

    public static CommandArguments Parse(ReadOnlySpan<string> args, IReadOnlyCollection<string> flags, IReadOnlyCollection<string>? known = null)
    {
        var parsed = new CommandArguments();
        var positional = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (known is not null)
                {
                    throw new ArgumentException($"Unexpected argument '{args[i]}'. Options: {string.Join(", ", known.Select(k => "--" + k))}.");
                }

                positional.Add(args[i]);
                continue;
            }

            var name = args[i][2..];
            if (known is not null && !known.Contains(name) && !flags.Contains(name))
            {
                throw new ArgumentException($"Unknown option '--{name}'. Options: {string.Join(", ", known.Select(k => "--" + k))}.");
            }

            if (flags.Contains(name))
            {
                parsed._values[name] = null;
            }
            else if (i + 1 < args.Length)
            {
                parsed._values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Option --{name} needs a value.");
            }
        }

        parsed.Positional = positional;
        return parsed;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string? Text(string name) => Get(name);

    public string RequiredText(string name) => Get(name) ?? throw new ArgumentException($"Option --{name} is required.");

    public double? GetDouble(string name) => Get(name) is not { } text ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"--{name} '{text}' is not a number.");

    public double Number(string name, double fallback, double min, double max)
    {
        if (Get(name) is not { } text)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"Option --{name} must be a number between {min} and {max}, not '{text}'.");
    }

    public int Integer(string name, int fallback, int min, int max)
    {
        var value = Number(name, fallback, min, max);
        return value == Math.Floor(value) ? (int)value : throw new ArgumentException($"Option --{name} must be a whole number.");
    }

    public static (string Host, int Port) HostAndPort(string text, string option)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? (text[..colon], port)
            : throw new ArgumentException($"Option --{option} must be HOST:PORT, not '{text}'.");
    }
}
