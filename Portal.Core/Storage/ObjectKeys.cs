using System.Text;

namespace Portal.Core.Storage;

/// <summary>
/// The key rules every provider enforces, so a key accepted by one is accepted by all and can never
/// escape its bucket on local disk: '/'-separated segments, none empty, "." or "..", no backslash,
/// no control characters, at most 1024 UTF-8 bytes.
/// </summary>
public static class ObjectKeys
{
    public const int MaxUtf8Length = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when <paramref name="key"/> is not a valid object key.</summary>
    public static void Validate(string key, string parameterName = "key")
    {
        if (DescribeProblem(key, isPrefix: false) is { } problem)
        {
            throw new ArgumentException($"'{Printable(key)}' is not a valid object key: {problem}.", parameterName);
        }
    }

    /// <summary>Like <see cref="Validate"/>, but a prefix may be empty and may end with '/' or part of a segment.</summary>
    public static void ValidatePrefix(string prefix, string parameterName = "prefix")
    {
        if (DescribeProblem(prefix, isPrefix: true) is { } problem)
        {
            throw new ArgumentException($"'{Printable(prefix)}' is not a valid key prefix: {problem}.", parameterName);
        }
    }

    private static string? DescribeProblem(string? key, bool isPrefix)
    {
        if (key is null)
        {
            return "it is null";
        }

        if (key.Length == 0)
        {
            return isPrefix ? null : "it is empty";
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxUtf8Length)
        {
            return $"it is longer than {MaxUtf8Length} UTF-8 bytes";
        }

        if (key[0] == '/')
        {
            return "it starts with '/'";
        }

        if (key.Contains('\\', StringComparison.Ordinal))
        {
            return "it contains a backslash";
        }

        if (key.Any(char.IsControl))
        {
            return "it contains a control character";
        }

        var segments = key.Split('/');
        for (var index = 0; index < segments.Length; index++)
        {
            var segment = segments[index];
            var isLast = index == segments.Length - 1;
            if (segment is "." or ".." && !(isPrefix && isLast && segment == "."))
            {
                return "it contains a '.' or '..' segment";
            }

            if (segment.Length == 0 && !(isPrefix && isLast))
            {
                return isLast ? "it ends with '/'" : "it contains an empty segment ('//')";
            }
        }

        return null;
    }

    private static string Printable(string? key) =>
        key is null ? "(null)" : new string(key.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
