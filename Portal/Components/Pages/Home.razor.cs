using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;

namespace Portal.Components.Pages;

/// <summary>Each role's home: one card per role the user holds.</summary>
public sealed partial class Home
{
    private string? email;
    private RiderCategory? category;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        email = user.Identity?.Name;
        if (Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            await using var catalog = await Catalog.CreateDbContextAsync();
            category = await catalog.Riders.AsNoTracking()
                .Where(r => r.UserId == userId)
                .Select(r => (RiderCategory?)r.Category)
                .FirstOrDefaultAsync();
        }
    }
}
