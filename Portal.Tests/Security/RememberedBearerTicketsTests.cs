using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Portal.Identity;

namespace Portal.Tests.Security;

/// <summary>Bearer tokens are decrypted once per token, never shared between requests, and unreadable ones never remembered.</summary>
[Trait("Category", "Security")]
public sealed class RememberedBearerTicketsTests
{
    [Fact]
    public void AToken_IsDecryptedOnce_AndEveryRequestGetsItsOwnCopyOfTheTicket()
    {
        var inner = new CountingFormat(Ticket("rider-1", DateTimeOffset.UtcNow.AddHours(1)));
        using var remembered = new RememberedBearerTickets(inner);

        var first = remembered.Unprotect("token-a");
        first!.Principal.Identities.First().AddClaim(new Claim("added-by-one-request", "x"));
        var second = remembered.Unprotect("token-a");

        Assert.Equal(1, inner.Reads);
        Assert.Equal("rider-1", second!.Principal.FindFirstValue(ClaimTypes.NameIdentifier));
        Assert.Null(second.Principal.FindFirst("added-by-one-request"));
        Assert.NotSame(first, second);
    }

    [Fact]
    public void AnUnreadableToken_IsReadAgainEveryTime_AndStaysRefused()
    {
        var inner = new CountingFormat(ticket: null);
        using var remembered = new RememberedBearerTickets(inner);

        Assert.Null(remembered.Unprotect("forged"));
        Assert.Null(remembered.Unprotect("forged"));
        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public void DifferentTokens_AreDifferentTickets()
    {
        var inner = new CountingFormat(Ticket("rider-1", DateTimeOffset.UtcNow.AddHours(1)));
        using var remembered = new RememberedBearerTickets(inner);

        remembered.Unprotect("token-a");
        remembered.Unprotect("token-b");

        Assert.Equal(2, inner.Reads);
    }

    private static AuthenticationTicket Ticket(string userId, DateTimeOffset expires) =>
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Bearer")),
            new AuthenticationProperties { ExpiresUtc = expires }, "Bearer");

    private sealed class CountingFormat(AuthenticationTicket? ticket) : ISecureDataFormat<AuthenticationTicket>
    {
        public int Reads { get; private set; }

        public string Protect(AuthenticationTicket data) => throw new NotSupportedException();

        public string Protect(AuthenticationTicket data, string? purpose) => throw new NotSupportedException();

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Reads++;
            return ticket?.Clone();
        }
    }
}
