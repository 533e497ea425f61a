using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Features;
using Portal.Core.Rides;

namespace Portal.Api;

public static class RidePipelineEndpoints
{
    /// <summary>Rides, uploads, crashes and notifications: the thesis's calculate / retrieve / list gateway.</summary>
    public static IEndpointRouteBuilder MapRidePipelineApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRidesApi();
        endpoints.MapUploadsApi();
        endpoints.MapCrashesApi();
        endpoints.MapNotificationsApi();
        return endpoints;
    }
}

/// <summary>ProblemDetails with a stable <c>code</c> extension, which clients switch on.</summary>
public static class PipelineProblems
{
    public const string NoUserId = "no_user_id";
    public const string RideNotFound = "ride_not_found";
    public const string RawExpired = "raw_expired";
    public const string RawMissing = "raw_missing";
    public const string NotAnalyzed = "not_analyzed";
    public const string AnalyticsMissing = "analytics_missing";
    public const string RiderNotAllowed = "rider_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string NoFileAccepted = "no_file_accepted";
    public const string InvalidQuery = "invalid_query";
    public const string UploadNotFound = "upload_not_found";
    public const string CrashNotFound = "crash_not_found";
    public const string NotificationNotFound = "notification_not_found";
    public const string NotRideOwner = "not_ride_owner";
    public const string InvalidRideChange = "invalid_ride_change";
    public const string RideBusy = "ride_busy";

    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null, IEnumerable<KeyValuePair<string, object?>>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        foreach (var (key, value) in extra ?? [])
        {
            extensions[key] = value;
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }

    public static ProblemHttpResult NoCaller() =>
        Create(StatusCodes.Status403Forbidden, NoUserId, "The signed-in principal has no user id.");

    public static ProblemHttpResult RideMissing(Guid rideId) =>
        Create(StatusCodes.Status404NotFound, RideNotFound, "Ride not found.", $"There is no ride {rideId} you may see.");

    /// <summary>Refused uploads: too large → 413, a session in the wrong state → 409, otherwise 400.</summary>
    public static ProblemHttpResult From(UploadRefusedException refused)
    {
        var status = refused.Code switch
        {
            UploadErrorCodes.FileTooLarge or UploadErrorCodes.PartTooLarge or UploadErrorCodes.QuotaExceeded => StatusCodes.Status413PayloadTooLarge,
            UploadErrorCodes.SessionNotOpen or UploadErrorCodes.PartsMissing or UploadErrorCodes.SizeMismatch or UploadErrorCodes.OffsetMismatch => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        var extra = refused switch
        {
            UploadTooLargeException tooLarge => new Dictionary<string, object?> { ["limitBytes"] = tooLarge.LimitBytes },
            UploadQuotaExceededException quota => new Dictionary<string, object?> { ["quotaBytes"] = quota.QuotaBytes, ["usedBytes"] = quota.UsedBytes },
            _ => null,
        };
        return Create(status, refused.Code, "The upload was refused.", refused.Message, extra);
    }

    public static ProblemHttpResult TooLarge(long limitBytes, string code = UploadErrorCodes.FileTooLarge) =>
        From(new UploadTooLargeException(limitBytes, code));

    /// <summary>Lets this request's body be as large as <paramref name="limitBytes"/> (plus framing), whatever Kestrel's default.</summary>
    public static void AllowBody(HttpContext http, long limitBytes)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            // A little slack so the intake's own limit (with its clear message) trips before the server's.
            feature.MaxRequestBodySize = limitBytes + (1L << 20);
        }
    }
}
