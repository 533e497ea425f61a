using System.Text.RegularExpressions;
using Portal.Identity;

namespace Portal.Email;

/// <summary>One mail in the pickup folder, as the admin page lists it.</summary>
public sealed record PickedUpMail(string FileName, DateTimeOffset WrittenAt, string To, string Subject);

/// <summary>The pickup folder ({DataDir}/mail) when no SMTP relay is configured: listed on /admin/mail, each mail downloadable by admins.</summary>
public static partial class MailPickup
{
    public static IReadOnlyList<PickedUpMail> List(PortalMail mail, int max = 200)
    {
        var folder = new DirectoryInfo(mail.PickupFolder);
        if (!folder.Exists)
        {
            return [];
        }

        return [.. folder.EnumerateFiles("*.eml")
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .Take(max)
            .Select(f =>
            {
                string to = "", subject = "";
                foreach (var line in File.ReadLines(f.FullName).TakeWhile(l => l.Length > 0))
                {
                    if (line.StartsWith("To: ", StringComparison.OrdinalIgnoreCase))
                    {
                        to = line[4..];
                    }
                    else if (line.StartsWith("Subject: ", StringComparison.OrdinalIgnoreCase))
                    {
                        subject = line[9..];
                    }
                }

                return new PickedUpMail(f.Name, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero), to, subject);
            })];
    }

    /// <summary>GET /admin/mail/{file}: one .eml of the pickup folder, admins only; file names are the sender's GUIDs.</summary>
    public static IEndpointRouteBuilder MapMailPickup(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin/mail/{file}", (string file, PortalMail mail) =>
                MailFileName().IsMatch(file) && File.Exists(Path.Combine(mail.PickupFolder, file))
                    ? Results.File(Path.Combine(mail.PickupFolder, file), "message/rfc822", file)
                    : Results.NotFound())
            .RequireAuthorization(PortalPolicies.AdminOnly)
            .ExcludeFromDescription();
        return endpoints;
    }

    [GeneratedRegex("^[0-9a-fA-F-]{36}\\.eml$")]
    private static partial Regex MailFileName();
}
