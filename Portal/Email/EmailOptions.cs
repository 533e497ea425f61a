using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Portal.Email;

/// <summary>Email:*: how the portal sends its mails (account confirmation, password reset).</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>
    /// The portal's public address for links in mails (e.g. https://rides.example.com/). Unset: the address the
    /// request came in on, which a client can choose; set it in production.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public SmtpSettings Smtp { get; set; } = new();
}

/// <summary>An SMTP relay; without a host, mails are written as .eml files to {DataDir}/mail (the pickup folder).</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>STARTTLS or TLS to the relay.</summary>
    public bool UseTls { get; set; } = true;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "Ride Portal <no-reply@ride-portal.invalid>";
}

internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var errors = new List<string>();
        var smtp = options.Smtp;
        if (smtp.Port is < 1 or > 65_535)
        {
            errors.Add($"{EmailOptions.Section}:Smtp:Port must be 1 to 65535 (got {smtp.Port}).");
        }

        if (!MailAddress.TryCreate(smtp.From, out _))
        {
            errors.Add($"{EmailOptions.Section}:Smtp:From is not an e-mail address: '{smtp.From}'.");
        }

        if (!string.IsNullOrEmpty(smtp.Username) && string.IsNullOrEmpty(smtp.Password))
        {
            errors.Add($"{EmailOptions.Section}:Smtp:Password is required when {EmailOptions.Section}:Smtp:Username is set.");
        }

        if (options.PublicBaseUrl is { Length: > 0 } url
            && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            errors.Add($"{EmailOptions.Section}:PublicBaseUrl must be an absolute http(s) address (got '{url}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
