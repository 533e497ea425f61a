using System.Net;
using System.Net.Mail;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Hosting;
using Portal.Identity;

namespace Portal.Email;

/// <summary>
/// Sends the portal's mails through the configured SMTP relay, or into the pickup folder ({DataDir}/mail, one .eml
/// file per mail) when no relay is configured. Identity's API endpoints (forgot password, resend confirmation) send
/// through it too.
/// </summary>
public sealed class PortalMail(IOptions<EmailOptions> options, IOptions<EmbeddedOptions> embedded, ILogger<PortalMail> logger) : IEmailSender<PortalUser>
{
    public bool UsesPickupFolder => string.IsNullOrWhiteSpace(options.Value.Smtp.Host);

    public string PickupFolder => Path.Combine(embedded.Value.EnsureDataDir(), "mail");

    public async Task SendAsync(string to, string subject, string body, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var message = new MailMessage(smtp.From, to, subject, body);
        using var client = new SmtpClient();
        if (UsesPickupFolder)
        {
            Directory.CreateDirectory(PickupFolder);
            client.DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory;
            client.PickupDirectoryLocation = PickupFolder;
        }
        else
        {
            client.Host = smtp.Host!;
            client.Port = smtp.Port;
            client.EnableSsl = smtp.UseTls;
            if (!string.IsNullOrEmpty(smtp.Username))
            {
                client.Credentials = new NetworkCredential(smtp.Username, smtp.Password);
            }
        }

        await client.SendMailAsync(message, cancellationToken);
        logger.LogInformation("Mail '{Subject}' sent to {To}{Where}.", subject, to, UsesPickupFolder ? " (pickup folder)" : "");
    }

    public Task SendConfirmationLinkAsync(PortalUser user, string email, string confirmationLink) =>
        SendAsync(email, "Confirm your Ride Portal account", ConfirmationBody(WebUtility.HtmlDecode(confirmationLink)), CancellationToken.None);

    public Task SendPasswordResetLinkAsync(PortalUser user, string email, string resetLink) =>
        SendAsync(email, "Reset your Ride Portal password", ResetBody(WebUtility.HtmlDecode(resetLink)), CancellationToken.None);

    public Task SendPasswordResetCodeAsync(PortalUser user, string email, string resetCode) =>
        SendAsync(email, "Reset your Ride Portal password",
            $"Someone asked to reset the password of your Ride Portal account.\n\nYour reset code: {resetCode}\n\nIf it was not you, ignore this mail; your password stays as it is.\n",
            CancellationToken.None);

    public static string ConfirmationBody(string link) =>
        $"Welcome to Ride Portal.\n\nConfirm your e-mail address to finish creating your account:\n{link}\n\nIf you did not register, ignore this mail; no account will be usable without this link.\n";

    public static string ResetBody(string link) =>
        $"Someone asked to reset the password of your Ride Portal account.\n\nChoose a new password here (the link works once, for a limited time):\n{link}\n\nIf it was not you, ignore this mail; your password stays as it is.\n";

    public static string AlreadyRegisteredBody(string loginLink, string resetLink) =>
        $"Someone tried to create a Ride Portal account with this e-mail address, which already has one.\n\nIf it was you, log in here:\n{loginLink}\n\nForgot your password? Choose a new one here:\n{resetLink}\n\nIf it was not you, ignore this mail; nothing was changed.\n";
}
