using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Api;

public sealed record CrashDto(
    Guid Id,
    Guid RideId,
    Guid RiderId,
    string? RiderName,
    RiderCategory? RiderCategory,
    string FileName,
    string? DeviceId,
    DateTimeOffset DetectedAt,
    double CrashTimeS,
    string Kind,
    double PeakG,
    double PeakRateDps,
    double SpeedBeforeKmh,
    double? Latitude,
    double? Longitude,
    string Explanation,
    CrashLabel Label,
    string? Notes);

public sealed record CrashPageDto(IReadOnlyList<CrashDto> Items, int Total, int Page, int PageSize);

public sealed record CrashLabelRequest(CrashLabel Label, string? Notes);

/// <summary>R&amp;D's crash folder: every detected crash with its explanation, label and notes, and its kept raw data.</summary>
public static class CrashesApi
{
    public const string InvalidLabel = "invalid_crash_label";
    public const string NotesTooLong = "crash_notes_too_long";

    /// <summary>Enough for a thorough verdict; keeps one request from storing megabytes.</summary>
    public const int MaxNotesLength = 4000;

    public static IEndpointRouteBuilder MapCrashesApi(this IEndpointRouteBuilder endpoints)
    {
        var crashes = endpoints.MapGroup("/api/crashes").WithTags("Crashes")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoleNames.RnD, PortalRoleNames.Admin));
        crashes.MapGet("/", ListCrashes).WithName("ListCrashes").WithSummary("Every detected crash, newest first.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        crashes.MapGet("/{id:guid}", GetCrash).WithName("GetCrash").WithSummary("One crash with its detection explanation.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        crashes.MapPut("/{id:guid}/label", LabelCrash).WithName("LabelCrash").WithSummary("R&D's verdict (None, Confirmed, FalseAlarm) and notes.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        crashes.MapGet("/{id:guid}/raw", DownloadCrashRaw).WithName("DownloadCrashRaw").WithSummary("The crash ride's raw file from the crash folder (never expires).")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound);
        crashes.MapGet("/{id:guid}/window", DownloadCrashWindow).WithName("DownloadCrashWindow").WithSummary("The full-rate canonical CSV ±10 s around the crash.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    public static async Task<Results<Ok<CrashPageDto>, ProblemHttpResult>> ListCrashes(
        [FromServices] CatalogDbContext db, [FromQuery] CrashLabel? label, [FromQuery] Guid? rider, CancellationToken cancellationToken, [FromQuery] int page = 1, [FromQuery] int pageSize = 50)
    {
        if (page < 1 || pageSize is < 1 or > RidesApi.MaxPageSize)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidQuery, "Invalid paging.",
                $"page starts at 1 and pageSize runs from 1 to {RidesApi.MaxPageSize}.");
        }

        var crashes = db.Set<CrashRecord>().AsNoTracking();
        if (label is { } wanted)
        {
            crashes = crashes.Where(c => c.Label == wanted);
        }

        if (rider is { } riderId)
        {
            crashes = crashes.Where(c => c.RiderId == riderId);
        }

        var total = await crashes.CountAsync(cancellationToken);
        var items = await Project(db, crashes.OrderByDescending(c => c.Id).Skip((page - 1) * pageSize).Take(pageSize)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new CrashPageDto(items, total, page, pageSize));
    }

    public static async Task<Results<Ok<CrashDto>, ProblemHttpResult>> GetCrash(Guid id, [FromServices] CatalogDbContext db, CancellationToken cancellationToken)
    {
        var crash = await Project(db, db.Set<CrashRecord>().AsNoTracking().Where(c => c.Id == id)).FirstOrDefaultAsync(cancellationToken);
        return crash is null ? CrashMissing(id) : TypedResults.Ok(crash);
    }

    public static async Task<Results<Ok<CrashDto>, ProblemHttpResult>> LabelCrash(
        Guid id, CrashLabelRequest request, ClaimsPrincipal user, [FromServices] CatalogDbContext db, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(request.Label))
        {
            return ApiErrors.Problem(StatusCodes.Status400BadRequest, InvalidLabel, "Unknown crash label.",
                $"The label must be one of {string.Join(", ", Enum.GetNames<CrashLabel>())}.");
        }

        if (request.Notes?.Trim().Length > MaxNotesLength)
        {
            return ApiErrors.Problem(StatusCodes.Status400BadRequest, NotesTooLong, "The notes are too long.",
                $"Crash notes may have at most {MaxNotesLength} characters (were {request.Notes.Trim().Length}).");
        }

        var crash = await db.Set<CrashRecord>().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (crash is null)
        {
            return CrashMissing(id);
        }

        crash.Label = request.Label;
        crash.Notes = string.IsNullOrWhiteSpace(request.Notes) ? null : request.Notes.Trim();
        crash.LabelledBy = user.ToRideCaller()?.UserId;
        crash.LabelledAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return await GetCrash(id, db, cancellationToken);
    }

    public static Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadCrashRaw(Guid id, [FromServices] CatalogDbContext db, [FromServices] IObjectStorage storage, CancellationToken cancellationToken) =>
        DownloadAsync(id, db, storage, crash => crash.RawCopyKey, cancellationToken);

    public static Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadCrashWindow(Guid id, [FromServices] CatalogDbContext db, [FromServices] IObjectStorage storage, CancellationToken cancellationToken) =>
        DownloadAsync(id, db, storage, crash => crash.WindowKey, cancellationToken);

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid id, [FromServices] CatalogDbContext db, [FromServices] IObjectStorage storage, Func<CrashRecord, string> keyOf, CancellationToken cancellationToken)
    {
        var crash = await db.Set<CrashRecord>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (crash is null)
        {
            return CrashMissing(id);
        }

        var key = keyOf(crash);
        try
        {
            var stream = await storage.OpenReadAsync(BucketKind.Crash, key, cancellationToken);
            var contentType = key.EndsWith(".gz", StringComparison.Ordinal) ? "application/gzip" : "text/csv";
            return TypedResults.Stream(stream, contentType, $"crash-{crash.RideId}-{key[(key.LastIndexOf('/') + 1)..]}");
        }
        catch (ObjectNotFoundException)
        {
            return PipelineProblems.Create(StatusCodes.Status404NotFound, PipelineProblems.RawMissing, "The crash file is missing from the crash folder.");
        }
    }

    private static IQueryable<CrashDto> Project(CatalogDbContext db, IQueryable<CrashRecord> crashes) =>
        from c in crashes
        // A crash outlives its ride: a rider who deletes the ride leaves the crash folder's copy to R&D, without their name.
        join r in db.Rides on c.RideId equals r.Id into rides
        from r in rides.DefaultIfEmpty()
        join p in db.Riders on c.RiderId equals p.UserId into riders
        from p in riders.DefaultIfEmpty()
        select new CrashDto(
            c.Id, c.RideId, c.RiderId,
            p == null ? null : (p.DisplayName != "" ? p.DisplayName : p.Email),
            p == null ? null : p.Category,
            r == null ? "(ride deleted by its rider)" : r.FileName, r == null ? null : r.DeviceId, c.DetectedAt, c.CrashTimeS, c.Kind, c.PeakG, c.PeakRateDps, c.SpeedBeforeKmh,
            c.Latitude, c.Longitude, c.Explanation, c.Label, c.Notes);

    private static ProblemHttpResult CrashMissing(Guid id) =>
        PipelineProblems.Create(StatusCodes.Status404NotFound, PipelineProblems.CrashNotFound, "Crash not found.", $"There is no crash {id}.");
}
