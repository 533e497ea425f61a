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
