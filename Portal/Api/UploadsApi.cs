using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;
using Portal.Core.Rides;

namespace Portal.Api;

/// <param name="Size">The file's size when known; completion then checks that exactly this much arrived.</param>
/// <param name="Source">web, bulk or api (default api); a name, so clients need not know the enum's numbers.</param>
public sealed record CreateUploadRequest(string FileName, long? Size = null, Guid? RiderId = null, string? Profile = null, string? DeviceId = null, string? Source = null);

/// <summary>
/// Resumable uploads for flaky links: create a session, send numbered parts (PUT …/parts/{n}, any order,
/// repeats replace) or tus-style appends (PATCH with Upload-Offset), ask where to resume (GET/HEAD),
/// then complete it into a ride.
/// </summary>
public static class UploadsApi
{
    public const string OffsetHeader = "Upload-Offset";
    public const string LengthHeader = "Upload-Length";

    public static IEndpointRouteBuilder MapUploadsApi(this IEndpointRouteBuilder endpoints)
    {
        var uploads = endpoints.MapGroup("/api/uploads").WithTags("Uploads").RequireAuthorization();
        uploads.MapPost("/", CreateUpload).WithName("CreateUpload")
            .WithSummary("Start a resumable upload session; returns its id and offset 0.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        uploads.MapGet("/{id:guid}", GetUpload).WithName("GetUpload")
            .WithSummary("Where the upload stands: gap-free offset, next part, parts received.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        uploads.MapMethods("/{id:guid}", [HttpMethods.Head], HeadUpload).WithName("HeadUpload")
            .WithSummary("The resume offset in the Upload-Offset header (tus-style).");
        uploads.MapPut("/{id:guid}/parts/{number:int}", PutPart).WithName("PutUploadPart")
            .WithSummary("Store part n (0-based) of the file; sending a part again replaces it.")
            .Accepts<Stream>("application/octet-stream", "text/csv", "application/gzip")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        uploads.MapPatch("/{id:guid}", AppendChunk).WithName("AppendUploadChunk")
            .WithSummary("tus-style: append the body at the Upload-Offset header, which must equal the current offset.")
            .Accepts<Stream>("application/offset+octet-stream", "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        uploads.MapPost("/{id:guid}/complete", CompleteUpload).WithName("CompleteUpload")
            .WithSummary("Join the parts into the ride file (hashed, deduplicated) and queue its analysis.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        uploads.MapDelete("/{id:guid}", AbortUpload).WithName("AbortUpload")
            .WithSummary("Give up the session and delete its parts.").ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    public static async Task<Results<Created<UploadSessionState>, ProblemHttpResult>> CreateUpload(
        CreateUploadRequest request, HttpContext http, [FromServices] CatalogDbContext db, [FromServices] UploadSessions sessions, CancellationToken cancellationToken)
    {
        if (http.User.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var owner = request.RiderId ?? caller.UserId;
        if (!await db.MayUploadForAsync(caller, owner, cancellationToken))
        {
            return PipelineProblems.Create(StatusCodes.Status403Forbidden, PipelineProblems.RiderNotAllowed, "You may not upload for this rider.");
        }

        var source = Enum.TryParse<RideSource>(request.Source, ignoreCase: true, out var named) && named is RideSource.Web or RideSource.Bulk ? named : RideSource.Api;
        try
        {
            var state = await sessions.CreateAsync(new RideUpload(owner, caller.UserId, source, request.FileName, request.DeviceId, request.Profile), request.Size, cancellationToken);
            SetOffsetHeaders(http, state);
            return TypedResults.Created($"/api/uploads/{state.Id}", state);
        }
        catch (UploadRefusedException refused)
        {
            return PipelineProblems.From(refused);
        }
    }

    public static async Task<Results<Ok<UploadSessionState>, ProblemHttpResult>> GetUpload(
        Guid id, HttpContext http, [FromServices] UploadSessions sessions, CancellationToken cancellationToken)
    {
        if (http.User.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var state = await sessions.GetAsync(id, caller.UserId, cancellationToken);
        if (state is null)
        {
            return UploadMissing(id);
        }

        SetOffsetHeaders(http, state);
        return TypedResults.Ok(state);
    }

    public static async Task<Results<Ok, NotFound>> HeadUpload(Guid id, HttpContext http, [FromServices] UploadSessions sessions, CancellationToken cancellationToken)
    {
        if (http.User.ToRideCaller() is not { } caller || await sessions.GetAsync(id, caller.UserId, cancellationToken) is not { } state)
        {
            return TypedResults.NotFound();
        }

        SetOffsetHeaders(http, state);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok();
    }

    public static async Task<Results<Ok<UploadSessionState>, ProblemHttpResult>> PutPart(
        Guid id, int number, HttpContext http, [FromServices] UploadSessions sessions, [FromServices] IOptions<UploadOptions> options, CancellationToken cancellationToken)
    {
        if (http.User.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var limit = options.Value.MaxPartBytes;
        if (http.Request.ContentLength > limit)
        {
            return PipelineProblems.TooLarge(limit, UploadErrorCodes.PartTooLarge);
        }

        PipelineProblems.AllowBody(http, limit);
        try
        {
            var state = await sessions.PutPartAsync(id, caller.UserId, number, http.Request.Body, cancellationToken);
            if (state is null)
            {
                return UploadMissing(id);
            }

            SetOffsetHeaders(http, state);
            return TypedResults.Ok(state);
        }
        catch (UploadRefusedException refused)
        {
            return PipelineProblems.From(refused);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return PipelineProblems.TooLarge(limit, UploadErrorCodes.PartTooLarge);
        }
    }

    public static async Task<Results<Ok<UploadSessionState>, ProblemHttpResult>> AppendChunk(
        Guid id, HttpContext http, [FromServices] UploadSessions sessions, [FromServices] IOptions<UploadOptions> options, CancellationToken cancellationToken)
    {
        if (http.User.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        if (!long.TryParse(http.Request.Headers[OffsetHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, UploadErrorCodes.OffsetMismatch, $"The {OffsetHeader} header is required.");
        }

        var limit = options.Value.MaxPartBytes;
        if (http.Request.ContentLength > limit)
        {
            return PipelineProblems.TooLarge(limit, UploadErrorCodes.PartTooLarge);
        }

        PipelineProblems.AllowBody(http, limit);
        try
        {
            var state = await sessions.AppendAsync(id, caller.UserId, offset, http.Request.Body, cancellationToken);
            if (state is null)
            {
                return UploadMissing(id);
            }

            SetOffsetHeaders(http, state);
            return TypedResults.Ok(state);
        }
        catch (UploadRefusedException refused)
        {
            return PipelineProblems.From(refused);
        }
    }

    public static async Task<Results<Created<UploadedRideDto>, Ok<UploadedRideDto>, ProblemHttpResult>> CompleteUpload(
        Guid id, HttpContext http, [FromServices] UploadSessions sessions, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        if (http.User.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        try
        {
            var result = await sessions.CompleteAsync(id, caller.UserId, cancellationToken);
            if (result is null)
            {
                return UploadMissing(id);
            }

            var body = new UploadedRideDto(RideDto.From(result.Ride, time.GetUtcNow()), result.Duplicate);
            return result.Duplicate ? TypedResults.Ok(body) : TypedResults.Created(RidesApi.RideLocation(result.Ride.Id), body);
        }
        catch (UploadRefusedException refused)
        {
            return PipelineProblems.From(refused);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> AbortUpload(
        Guid id, ClaimsPrincipal user, [FromServices] UploadSessions sessions, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        return await sessions.AbortAsync(id, caller.UserId, cancellationToken) ? TypedResults.NoContent() : UploadMissing(id);
    }

    private static void SetOffsetHeaders(HttpContext http, UploadSessionState state)
    {
        http.Response.Headers[OffsetHeader] = state.Offset.ToString(CultureInfo.InvariantCulture);
        if (state.DeclaredSize is { } size)
        {
            http.Response.Headers[LengthHeader] = size.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static ProblemHttpResult UploadMissing(Guid id) =>
        PipelineProblems.Create(StatusCodes.Status404NotFound, PipelineProblems.UploadNotFound, "Upload session not found.", $"There is no upload session {id} of yours.");
}
