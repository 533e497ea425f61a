using Microsoft.AspNetCore.Components;
using Portal.Email;

namespace Portal.Components.Pages.Admin;

/// <summary>/admin/mail: the pickup folder's mails, for installs without an SMTP relay.</summary>
public sealed partial class MailFolder
{
    private IReadOnlyList<PickedUpMail> mails = [];

    [Inject]
    private PortalMail Mail { get; set; } = default!;

    protected override void OnInitialized() => mails = MailPickup.List(Mail);
}
