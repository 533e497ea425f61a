using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Rides;

namespace Portal.Api;

public sealed record NotificationListDto(IReadOnlyList<NotificationView> Items, int Unread);

/// <summary>The notification centre's data: personal and role notifications, newest first, and marking them read.</summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder endpoints)
    {
        var notifications = endpoints.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        notifications.MapGet("/", ListNotifications).WithName("ListNotifications")
            .WithSummary("The caller's notifications, newest first; ?after={id} for the ones newer than the last seen, ?unreadOnly=true.");
        notifications.MapPost("/{id:guid}/read", MarkRead).WithName("MarkNotificationRead")
            .WithSummary("Mark one notification read.").ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    public static async Task<Results<Ok<NotificationListDto>, ProblemHttpResult>> ListNotifications(
        ClaimsPrincipal user, [FromServices] NotificationFeed feed, [FromQuery] bool? unreadOnly, [FromQuery] Guid? after, CancellationToken cancellationToken, [FromQuery] int take = 50)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var items = await feed.GetAsync(caller, unreadOnly ?? false, after, take, cancellationToken);
        var unread = await feed.CountUnreadAsync(caller, cancellationToken);
        return TypedResults.Ok(new NotificationListDto(items, unread));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(Guid id, ClaimsPrincipal user, [FromServices] NotificationFeed feed, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        return await feed.MarkReadAsync(caller, id, cancellationToken)
            ? TypedResults.NoContent()
            : PipelineProblems.Create(StatusCodes.Status404NotFound, PipelineProblems.NotificationNotFound, "Notification not found.");
    }
}
