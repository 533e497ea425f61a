using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;

namespace Portal.Core.Rides;

/// <summary>Writes notifications as catalog rows, so the portal sees them whichever process sent them.</summary>
public sealed class CatalogNotificationSink(CatalogDbContext db, TimeProvider time) : INotificationSink
{
    public Task<bool> NotifyUserAsync(Guid userId, NotificationMessage message, CancellationToken cancellationToken) =>
        AddAsync(new Notification { UserId = userId }, $"user:{userId:N}", message, cancellationToken);

    public Task<bool> NotifyRoleAsync(string role, NotificationMessage message, CancellationToken cancellationToken) =>
        AddAsync(new Notification { Role = role }, $"role:{role}", message, cancellationToken);

    private async Task<bool> AddAsync(Notification notification, string recipient, NotificationMessage message, CancellationToken cancellationToken)
    {
        // Only ride events are deduplicated: the same job run twice must not say the same thing twice.
        var dedupeKey = message.RideId is { } rideId ? $"{message.Kind}:{rideId:N}:{recipient}" : null;
        if (dedupeKey is not null && await db.Set<Notification>().AnyAsync(n => n.DedupeKey == dedupeKey, cancellationToken))
        {
            return false;
        }

        notification.Id = Guid.CreateVersion7(time.GetUtcNow());
        notification.Kind = message.Kind;
        notification.Title = message.Title;
        notification.Body = message.Body;
        notification.RideId = message.RideId;
        notification.CreatedAt = time.GetUtcNow();
        notification.DedupeKey = dedupeKey;
        db.Set<Notification>().Add(notification);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException) when (dedupeKey is not null)
        {
            // Another run inserted the same notification between our check and our insert.
            db.Entry(notification).State = EntityState.Detached;
            if (await db.Set<Notification>().AsNoTracking().AnyAsync(n => n.DedupeKey == dedupeKey, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }
}

public sealed record NotificationView(
    Guid Id,
    NotificationKind Kind,
    string Title,
    string Body,
    Guid? RideId,
    DateTimeOffset CreatedAt,
    bool Read);

/// <summary>What one person sees in the notification centre: their own notifications and their roles'.</summary>
public sealed class NotificationFeed(CatalogDbContext db, TimeProvider time)
{
    public const int MaxTake = 200;

    /// <param name="after">Only notifications created after this id (ids grow with time), for polling.</param>
    public async Task<IReadOnlyList<NotificationView>> GetAsync(
        RideCaller caller, bool unreadOnly, Guid? after, int take, CancellationToken cancellationToken)
    {
        var query = Visible(caller);
        if (after is { } afterId)
        {
            query = query.Where(n => n.Id.CompareTo(afterId) > 0);
        }

        var me = caller.UserId;
        var receipts = db.Set<NotificationReceipt>().Where(r => r.UserId == me);
        var projected = query.Select(n => new
        {
            n.Id,
            n.Kind,
            n.Title,
            n.Body,
            n.RideId,
            n.CreatedAt,
            Read = n.UserId != null ? n.ReadAt != null : receipts.Any(r => r.NotificationId == n.Id),
        });
        if (unreadOnly)
        {
            projected = projected.Where(n => !n.Read);
        }

        // Version 7 ids sort by creation time, which also works where the provider cannot order dates.
        var rows = await projected.OrderByDescending(n => n.Id).Take(Math.Clamp(take, 1, MaxTake)).ToListAsync(cancellationToken);
        return rows.Select(n => new NotificationView(n.Id, n.Kind, n.Title, n.Body, n.RideId, n.CreatedAt, n.Read)).ToList();
    }

    public Task<int> CountUnreadAsync(RideCaller caller, CancellationToken cancellationToken)
    {
        var me = caller.UserId;
        var receipts = db.Set<NotificationReceipt>().Where(r => r.UserId == me);
        return Visible(caller).CountAsync(
            n => n.UserId != null ? n.ReadAt == null : !receipts.Any(r => r.NotificationId == n.Id),
            cancellationToken);
    }

    /// <returns>False when the notification does not exist or is not the caller's.</returns>
    public async Task<bool> MarkReadAsync(RideCaller caller, Guid notificationId, CancellationToken cancellationToken)
    {
        var notification = await Visible(caller).FirstOrDefaultAsync(n => n.Id == notificationId, cancellationToken);
        if (notification is null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (notification.UserId is not null)
        {
            notification.ReadAt ??= now;
        }
        else if (!await db.Set<NotificationReceipt>().AnyAsync(r => r.NotificationId == notificationId && r.UserId == caller.UserId, cancellationToken))
        {
            db.Set<NotificationReceipt>().Add(new NotificationReceipt { NotificationId = notificationId, UserId = caller.UserId, ReadAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private IQueryable<Notification> Visible(RideCaller caller)
    {
        var me = caller.UserId;
        var roles = caller.Roles.ToArray();
        return db.Set<Notification>().Where(n => n.UserId == me || (n.Role != null && roles.Contains(n.Role)));
    }
}
