using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Api;
using Portal.Components.Pages.Rides;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Components.Shared.Notifications;

/// <summary>
/// The bell in the app bar: polls the signed-in user's notification feed in the catalog database (so it also
/// hears jobs that ran in another process), shows a toast for each new notification and keeps the unread badge.
/// Notifications that existed before the page opened are counted, not toasted.
/// </summary>
public sealed partial class LiveNotifications : IDisposable
{
    public const int MaxToastsPerPoll = 5;

    /// <summary>More ordinary notifications than this in one poll become one grouped toast; crashes always get their own.</summary>
    public const int MaxSeparateToasts = 2;

    private readonly CancellationTokenSource disposal = new();
    private RideCaller? caller;
    private Guid? lastSeen;
    private int unread;
    private PollingTimer? poller;

    /// <summary>How often the feed is read.</summary>
    [Parameter] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(3);

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject] private IDbContextFactory<CatalogDbContext> Catalog { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private string BadgeText => unread > 99 ? "99+" : unread.ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Only once interactive: a prerendered page has no circuit to push toasts to.
        if (!firstRender)
        {
            return;
        }

        caller = (await AuthenticationState).User.ToRideCaller();
        if (caller is null)
        {
            return;
        }

        await using (var db = await Catalog.CreateDbContextAsync(disposal.Token))
        {
            var feed = new NotificationFeed(db, Time);
            var newest = await feed.GetAsync(caller, unreadOnly: false, after: null, take: 1, disposal.Token);
            lastSeen = newest.Count > 0 ? newest[0].Id : null;
            unread = await feed.CountUnreadAsync(caller, disposal.Token);
        }

        poller = new PollingTimer(Time, PollInterval, () => InvokeAsync(PollAsync));
        StateHasChanged();
    }

    private async Task PollAsync()
    {
        if (caller is null || disposal.IsCancellationRequested)
        {
            return;
        }

        await using (var db = await Catalog.CreateDbContextAsync(disposal.Token))
        {
            var feed = new NotificationFeed(db, Time);
            var fresh = await feed.GetAsync(caller, unreadOnly: false, after: lastSeen, take: NotificationFeed.MaxTake, disposal.Token);
            if (fresh.Count > 0)
            {
                lastSeen = fresh[0].Id;
                var crashes = fresh.Where(IsCrash).Take(MaxToastsPerPoll).Reverse().ToList();
                var others = fresh.Where(item => !IsCrash(item)).ToList();
                foreach (var item in crashes)
                {
                    Toast(item);
                }

                if (others.Count > MaxSeparateToasts)
                {
                    Snackbar.Add($"{others.Count} new notifications: {Describe(others)}", Severity.Info,
                        options => OpenOnClick(options, "/notifications"), key: "grouped-" + others[0].Id);
                }
                else
                {
                    foreach (var item in Enumerable.Reverse(others))
                    {
                        Toast(item);
                    }
                }
            }

            unread = await feed.CountUnreadAsync(caller, disposal.Token);
        }

        StateHasChanged();
    }

    /// <summary>A crash, reported as such or as an analysis that found one: an alert, never a success.</summary>
    public static bool IsCrash(NotificationView item) =>
        item.Kind == NotificationKind.CrashDetected
        || (item.Kind == NotificationKind.RideAnalyzed && item.Body.Contains("crash detected", StringComparison.OrdinalIgnoreCase));

    public static Severity SeverityOf(NotificationView item) =>
        IsCrash(item) || item.Kind == NotificationKind.RideFailed ? Severity.Error
        : item.Kind == NotificationKind.RideAnalyzed ? Severity.Success
        : Severity.Info;

    private static string Describe(IReadOnlyList<NotificationView> items) =>
        string.Join(", ", items.GroupBy(i => i.Title, StringComparer.Ordinal).Select(g => g.Count() == 1 ? g.Key.ToLowerInvariant() : $"{g.Count()} × {g.Key.ToLowerInvariant()}"));

    private void Toast(NotificationView item)
    {
        var severity = SeverityOf(item);
        var target = item.RideId is { } rideId && item.Kind is NotificationKind.RideAnalyzed or NotificationKind.RideFailed
            ? $"/rides/{rideId}"
            : "/notifications";
        Snackbar.Add($"{item.Title}: {item.Body}", severity, options => OpenOnClick(options, target), key: item.Id.ToString());
    }

    private void OpenOnClick(SnackbarOptions options, string target)
    {
        options.Action = "Open";
        options.ActionColor = Color.Inherit;
        options.OnClick = _ =>
        {
            Navigation.NavigateTo(target);
            return Task.CompletedTask;
        };
    }

    public void Dispose()
    {
        poller?.Dispose();
        disposal.Cancel();
        disposal.Dispose();
    }
}
