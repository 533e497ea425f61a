using Microsoft.AspNetCore.Identity;

namespace Portal.Identity;

/// <summary>OWASP ASVS 5.0 passwords: long rather than complex, passphrases welcome, slow hashing.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;

    /// <summary>ASVS asks to allow at least 64; the cap only bounds the hashing work per login.</summary>
    public const int MaxLength = 128;

    /// <summary>PBKDF2-HMAC-SHA512 iterations (ASVS: at least 210 000).</summary>
    public const int HashIterations = 210_000;

    public static void Apply(PasswordOptions password)
    {
        password.RequiredLength = MinLength;
        password.RequireDigit = false;
        password.RequireLowercase = false;
        password.RequireUppercase = false;
        password.RequireNonAlphanumeric = false;
        password.RequiredUniqueChars = 1;
    }
}

/// <summary>Refuses passwords beyond <see cref="PasswordPolicy.MaxLength"/> characters.</summary>
internal sealed class MaxLengthPasswordValidator : IPasswordValidator<PortalUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password) =>
        Task.FromResult(password is { Length: > PasswordPolicy.MaxLength }
            ? IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordTooLong",
                Description = $"Passwords must be at most {PasswordPolicy.MaxLength} characters.",
            })
            : IdentityResult.Success);
}

/// <summary>
/// Refuses guessable passwords (ASVS 5.0 V6.2: check against a list of common passwords): the embedded
/// CommonPasswords.txt (case-insensitive) and any short pattern repeated to length ("abcabcabcabc").
/// </summary>
internal sealed class CommonPasswordValidator : IPasswordValidator<PortalUser>
{
    private const int LongestRepeatedPattern = 4;

    private static readonly Lazy<HashSet<string>> Common = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password) =>
        Task.FromResult(password is not null && IsCommon(password)
            ? IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordTooCommon",
                Description = "This password is one of the first that attackers try. Choose a passphrase of your own.",
            })
            : IdentityResult.Success);

    public static bool IsCommon(string password)
    {
        var normalized = password.Trim().ToLowerInvariant();
        return Common.Value.Contains(normalized) || IsRepeatedPattern(normalized);
    }

    private static bool IsRepeatedPattern(string password)
    {
        for (var period = 1; period <= LongestRepeatedPattern && period < password.Length; period++)
        {
            var repeats = true;
            for (var i = period; i < password.Length && repeats; i++)
            {
                repeats = password[i] == password[i - period];
            }

            if (repeats)
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream("Portal.Identity.CommonPasswords.txt")
            ?? throw new InvalidOperationException("The embedded common-password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line);
            }
        }

        return set;
    }
}
