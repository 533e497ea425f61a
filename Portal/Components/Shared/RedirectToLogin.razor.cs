using Microsoft.AspNetCore.Components;

namespace Portal.Components.Shared;

/// <summary>Sends an anonymous visitor of a protected page to the login page, and back afterwards.</summary>
public sealed partial class RedirectToLogin
{
    protected override void OnInitialized() =>
        Navigation.NavigateTo($"account/login?returnUrl={Uri.EscapeDataString(Navigation.ToBaseRelativePath(Navigation.Uri))}", forceLoad: true);
}
