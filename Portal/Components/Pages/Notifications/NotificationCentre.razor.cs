using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Pages.Notifications;

/// <summary>The notification centre: the user's own and their roles' notifications, newest first, kept until read (and after).</summary>
public sealed partial class NotificationCentre
{
    public const int PageSize = 100;

    private IReadOnlyList<NotificationView>? items;
    private int unread;
    private bool unreadOnly;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is not { } caller)
        {
            items = [];
            return;
        }

        await using var db = await Catalog.CreateDbContextAsync();
        var feed = new NotificationFeed(db, Time);
        items = await feed.GetAsync(caller, unreadOnly, null, PageSize, CancellationToken.None);
        unread = await feed.CountUnreadAsync(caller, CancellationToken.None);
    }

    private Task UnreadOnlyChanged(bool value)
    {
        unreadOnly = value;
        return LoadAsync();
    }

    private async Task MarkReadAsync(Guid notificationId)
    {
        if ((await AuthenticationState).User.ToRideCaller() is { } caller)
        {
            await using var db = await Catalog.CreateDbContextAsync();
            await new NotificationFeed(db, Time).MarkReadAsync(caller, notificationId, CancellationToken.None);
        }

        await LoadAsync();
    }

    private async Task MarkAllReadAsync()
    {
        if ((await AuthenticationState).User.ToRideCaller() is { } caller)
        {
            await using var db = await Catalog.CreateDbContextAsync();
            var feed = new NotificationFeed(db, Time);
            foreach (var item in await feed.GetAsync(caller, unreadOnly: true, null, NotificationFeed.MaxTake, CancellationToken.None))
            {
                await feed.MarkReadAsync(caller, item.Id, CancellationToken.None);
            }
        }

        await LoadAsync();
    }

    internal static string IconOf(NotificationKind kind) => kind switch
    {
        NotificationKind.RideAnalyzed => Icons.Material.Filled.CheckCircle,
        NotificationKind.RideFailed => Icons.Material.Filled.Error,
        NotificationKind.CrashDetected => Icons.Material.Filled.Warning,
        NotificationKind.ProfessionalSession => Icons.Material.Filled.SportsMotorsports,
        _ => Icons.Material.Filled.Notifications,
    };

    internal static Color ColorOf(NotificationKind kind) => kind switch
    {
        NotificationKind.RideAnalyzed => Color.Success,
        NotificationKind.RideFailed => Color.Error,
        NotificationKind.CrashDetected => Color.Error,
        _ => Color.Info,
    };
}
