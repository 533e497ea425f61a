using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;

namespace Portal.Identity;

/// <summary>
/// Bearer tokens are read (data-protection decryption, key derivation, MAC check) once per token rather than once per
/// request: the API's hottest path at hundreds of requests a second. The handler still checks every ticket's expiry
/// on every request; each request gets its own copy of the ticket.
/// </summary>
internal sealed class RememberedBearerTickets(ISecureDataFormat<AuthenticationTicket> inner) : ISecureDataFormat<AuthenticationTicket>, IDisposable
{
    private const int MaxTokens = 20_000;
    private readonly MemoryCache tickets = new(new MemoryCacheOptions { SizeLimit = MaxTokens });

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || purpose is not null)
        {
            return inner.Unprotect(protectedText, purpose);
        }

        if (tickets.TryGetValue(protectedText, out AuthenticationTicket? known) && known is not null)
        {
            return known.Clone();
        }

        var ticket = inner.Unprotect(protectedText);
        if (ticket?.Properties.ExpiresUtc is { } expires)
        {
            // A token that cannot be read is not remembered: every attempt pays the full price.
            tickets.Set(protectedText, ticket.Clone(), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
        }

        return ticket;
    }

    public void Dispose() => tickets.Dispose();
}
