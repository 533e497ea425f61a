using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Portal.Email;

/// <summary>Absolute links to the account pages, for mails: Email:PublicBaseUrl, else the address of the request.</summary>
public sealed class AccountLinks(IOptions<EmailOptions> options)
{
    public Uri BaseFor(HttpRequest request) =>
        options.Value.PublicBaseUrl is { Length: > 0 } configured
            ? new Uri(configured.EndsWith('/') ? configured : configured + "/")
            : new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");

    public static string Confirm(Uri baseUri, Guid userId, string token) =>
        new Uri(baseUri, $"account/confirm-email?userId={userId}&code={Encode(token)}").ToString();

    public static string Reset(Uri baseUri, string email, string token) =>
        new Uri(baseUri, $"account/reset-password?email={Uri.EscapeDataString(email)}&code={Encode(token)}").ToString();

    public static string Login(Uri baseUri) => new Uri(baseUri, "account/login").ToString();

    public static string ForgotPassword(Uri baseUri) => new Uri(baseUri, "account/forgot-password").ToString();

    /// <summary>Identity's tokens travel in links as base64url (the pages decode them).</summary>
    public static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    public static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
