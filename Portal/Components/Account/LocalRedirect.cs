namespace Portal.Components.Account;

/// <summary>Return URLs come from the query string: only paths of this site are followed (no open redirect).</summary>
public static class LocalRedirect
{
    public static string Resolve(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl))
        {
            return "/";
        }

        var url = returnUrl.StartsWith('/') ? returnUrl : "/" + returnUrl;
        var isLocal = Uri.IsWellFormedUriString(url, UriKind.Relative)
            && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.StartsWith("/\\", StringComparison.Ordinal)
            && !url.StartsWith("/account/log", StringComparison.OrdinalIgnoreCase);
        return isLocal ? url : "/";
    }
}
