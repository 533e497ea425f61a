using System.Globalization;

namespace Portal.Jobs.CommandLine;

/// <summary>Minimal <c>--name value</c> parsing for the live-device commands; errors name the option.</summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private CommandArguments()
    {
    }

    public static CommandArguments Parse(ReadOnlySpan<string> args, IReadOnlyCollection<string> known)
    {
        var parsed = new CommandArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || !known.Contains(name[2..]))
            {
                throw new ArgumentException($"Unknown option '{name}'. Options: {string.Join(", ", known.Select(k => "--" + k))}.");
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"Option '{name}' needs a value.");
            }

            parsed._values[name[2..]] = args[++i];
        }

        return parsed;
    }

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public string RequiredText(string name) => Text(name) ?? throw new ArgumentException($"Option --{name} is required.");

    public double Number(string name, double fallback, double min, double max)
    {
        if (Text(name) is not { } text)
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
