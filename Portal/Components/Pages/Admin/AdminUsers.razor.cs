using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Catalog;
using Portal.Identity;

namespace Portal.Components.Pages.Admin;

/// <summary>/admin/users: every account with its roles, category and lockout; create staff, lock/unlock, set a rider's category.</summary>
public sealed partial class AdminUsers
{
    private UserDirectory directory = default!;
    private IReadOnlyList<UserRow>? users;
    private Guid? currentUserId;
    private DateTimeOffset now;
    private string? message;
    private bool failed;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private SessionRevocation Sessions { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        directory = new UserDirectory(Scopes, Sessions);
        var user = (await AuthenticationState).User;
        currentUserId = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        now = Time.GetUtcNow();
        users = await directory.ListAsync(CancellationToken.None);
    }

    private async Task OnCreatedAsync(string email)
    {
        (failed, message) = (false, $"Account {email} created.");
        await LoadAsync();
    }

    private Task LockAsync(UserRow user) => ReportAsync(directory.LockAsync(user.Id), $"{user.Email} is locked out and signed out.");

    private Task UnlockAsync(UserRow user) => ReportAsync(directory.UnlockAsync(user.Id), $"{user.Email} may sign in again.");

    private async Task SetCategoryAsync(UserRow user, RiderCategory category)
    {
        var changed = await directory.SetCategoryAsync(user.Id, category, CancellationToken.None);
        (failed, message) = changed
            ? (false, $"{user.Email} is now a {category.ToString().ToLowerInvariant()} rider.")
            : (true, $"{user.Email} has no rider profile.");
        await LoadAsync();
    }

    private async Task ReportAsync(Task<IdentityResult> change, string success)
    {
        var result = await change;
        (failed, message) = result.Succeeded ? (false, success) : (true, string.Join(" ", result.Errors.Select(e => e.Description)));
        await LoadAsync();
    }
}
