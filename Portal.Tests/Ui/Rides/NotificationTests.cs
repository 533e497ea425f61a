using Bunit;
using MudBlazor;
using Portal.Components.Pages.Notifications;
using Portal.Components.Shared.Notifications;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Tests.Ui.Rides;

/// <summary>The notification centre and the live toasts, reading the catalog as any process writes it.</summary>
[Trait("Category", "Ui")]
public sealed class NotificationTests : RidePagesTestContext
{
    private async Task NotifyAsync(Guid userId, string title, string body, Guid? rideId = null)
    {
        await using var db = OpenCatalog();
        await new CatalogNotificationSink(db, Clock).NotifyUserAsync(userId,
            new NotificationMessage(NotificationKind.RideAnalyzed, title, body, rideId ?? Guid.NewGuid()), CancellationToken.None);
        Time.Advance(TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public async Task Centre_ListsOnlyTheUsersNotifications_AndMarksOneRead()
    {
        SignIn();
        await NotifyAsync(RiderId, "Ride analysed", "morning.csv: 42 km");
        await NotifyAsync(RiderId, "Ride analysed", "evening.csv: 12 km");
        await NotifyAsync(Guid.NewGuid(), "Ride analysed", "not-mine.csv");

        var page = Render<NotificationCentre>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=notification]").Count));
        Assert.DoesNotContain("not-mine.csv", page.Markup, StringComparison.Ordinal);
        Assert.Equal("2 unread", page.Find("[data-testid=unread-count]").TextContent.Trim());

        await page.FindAll("[data-testid=mark-read]")[0].ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("1 unread", page.Find("[data-testid=unread-count]").TextContent.Trim()));
        Assert.Single(page.FindAll("[data-testid=notification][data-read=true]"));
    }

    [Fact]
    public async Task Centre_MarkAllRead_LeavesNothingUnread()
    {
        SignIn();
        await NotifyAsync(RiderId, "Ride analysed", "a.csv");
        await NotifyAsync(RiderId, "Ride analysed", "b.csv");
        var page = Render<NotificationCentre>();
        page.WaitForAssertion(() => Assert.Equal("2 unread", page.Find("[data-testid=unread-count]").TextContent.Trim()));

        await page.Find("[data-testid=mark-all-read]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("0 unread", page.Find("[data-testid=unread-count]").TextContent.Trim()));
        Assert.Equal(2, page.FindAll("[data-testid=notification][data-read=true]").Count);
    }

    [Fact]
    public async Task LiveToast_AppearsForANewNotification_AndTheBadgeCounts()
    {
        SignIn();
        await NotifyAsync(RiderId, "Ride analysed", "old.csv: 3 km");
        var bell = Render<LiveNotifications>();
        bell.WaitForAssertion(() => Assert.Equal("1", bell.Find("[data-testid=notification-bell]").GetAttribute("data-unread")));
        var snackbars = Services.GetRequiredService<ISnackbar>();
        Assert.Empty(snackbars.ShownSnackbars);

        // Written by "another process": straight into the catalog.
        await NotifyAsync(RiderId, "Ride analysed", "fresh.csv: 42 km");
        Time.Advance(TimeSpan.FromSeconds(3));

        bell.WaitForAssertion(() => Assert.Equal("2", bell.Find("[data-testid=notification-bell]").GetAttribute("data-unread")));
        var toast = Assert.Single(snackbars.ShownSnackbars);
        Assert.Contains("fresh.csv", toast.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveToasts_StopWhenTheLayoutGoesAway()
    {
        SignIn();
        var bell = Render<LiveNotifications>();
        bell.WaitForAssertion(() => Assert.Equal(1, Clock.ActiveTimers));

        await DisposeComponentsAsync();

        Assert.Equal(0, Clock.ActiveTimers);
    }
}
