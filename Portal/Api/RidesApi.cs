using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Portal.Core.Analytics;
using Portal.Core.Analytics.Charts;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Api;

public sealed record RideFailureDto(string Code, string Message);

/// <summary>A ride as the API shows it; <see cref="Metrics"/> uses ride-format.md's names, null when not (yet) available.</summary>
public sealed record RideDto(
    Guid Id,
    Guid OwnerId,
    Guid UploaderId,
    RideSource Source,
    string? DeviceId,
    string? ProfileName,
    string FileName,
    long SizeBytes,
    string Sha256,
    bool Compressed,
    DateTimeOffset UploadedAt,
    RideStatus Status,
    int ProgressPercent,
    RideFailureDto? Failure,
    DateTimeOffset? AnalyzedAt,
    int? AnalysisVersion,
    RideMetrics? Metrics,
    bool CrashDetected,
    double? CrashTimeS,
    DateTimeOffset? RawRetainUntil,
    DateTimeOffset? RawDeletedAt,
    bool RawAvailable,
    DateTimeOffset StartedAt,
    bool StartedAtIsUploadTime,
    string? Title,
    string? Notes,
    string? PlaceName)
{
    /// <param name="metricsCache">Spares parsing the metrics JSON of an analysis already read.</param>
    public static RideDto From(Ride ride, DateTimeOffset now, RideMetricsCache? metricsCache = null) => new(
        ride.Id,
        ride.OwnerId,
        ride.UploaderId,
        ride.Source,
        ride.DeviceId,
        ride.ProfileName,
        ride.FileName,
        ride.SizeBytes,
        ride.Sha256,
        ride.Compressed,
        ride.UploadedAt,
        ride.Status,
        ride.ProgressPercent,
        ride.FailureCode is { } code ? new RideFailureDto(code, ride.FailureMessage ?? "") : null,
        ride.AnalyzedAt,
        ride.AnalysisVersion,
        ride.MetricsJson is not { } json ? null
            : metricsCache?.GetOrParse(new RideAnalysisKey(ride.Id, ride.AnalysisVersion, ride.AnalyzedAt), json) ?? JsonSerializer.Deserialize<RideMetrics>(json),
        ride.CrashDetected,
        ride.CrashTimeS,
        ride.RawRetainUntil,
        ride.RawDeletedAt,
        RidesApi.RawExpiry(ride, now) is null,
        ride.StartedAt,
        ride.StartedAtIsUploadTime,
        ride.Title,
        ride.Notes,
        ride.PlaceName);
}

/// <summary>The body of <c>PATCH /api/rides/{id}</c>: a missing field is left as it is, an empty string clears it.</summary>
public sealed record RidePatchDto(string? Title, string? Notes);

/// <param name="Duplicate">The same bytes were uploaded before for this rider: this is the earlier ride, not analysed again.</param>
public sealed record UploadedRideDto(RideDto Ride, bool Duplicate);

public sealed record UploadErrorDto(string Code, string Message);

/// <summary>One file of a multipart upload: its ride, or why it was refused (the other files are unaffected).</summary>
public sealed record UploadItemDto(string FileName, RideDto? Ride, bool Duplicate, UploadErrorDto? Error);

public sealed record UploadBatchDto(IReadOnlyList<UploadItemDto> Items);

/// <param name="Total">The number of matching rides, counted up to <see cref="RidesApi.MaxCountedTotal"/>.</param>
/// <param name="TotalCapped">More rides than <see cref="RidesApi.MaxCountedTotal"/> match: <paramref name="Total"/> is that cap, narrow the filters to count them.</param>
public sealed record RidePageDto(IReadOnlyList<RideDto> Items, int Total, int Page, int PageSize, bool TotalCapped = false);

public sealed record ReanalysisDto(int Queued);

/// <summary>Filters of <c>GET /api/rides</c>, bound from the query string.</summary>
public sealed record RideListQuery(
    Guid? Rider = null,
    string? Device = null,
    RideSource? Source = null,
    RideStatus? Status = null,
    bool? Crash = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Q = null,
    string? Sha256 = null,
    int Page = 1,
    int PageSize = 50,
    string? Sort = null,
    bool ExcludeFailed = false);

/// <summary>The rides gateway: upload, list by metadata, retrieve, (re)calculate analytics, raw download.</summary>
public static class RidesApi
{
    public const int MaxPageSize = 200;

    /// <summary>Counting every match of a broad filter over a large catalog costs more than the page itself; beyond this the total is capped.</summary>
    public const int MaxCountedTotal = 10_000;
    private static readonly TimeSpan DownloadLinkLifetime = TimeSpan.FromMinutes(5);
    private static readonly string[] RawContentTypes = ["text/csv", "application/gzip", "application/x-gzip", "application/octet-stream", "text/plain"];

    public static IEndpointRouteBuilder MapRidesApi(this IEndpointRouteBuilder endpoints)
    {
        var rides = endpoints.MapGroup("/api/rides").WithTags("Rides").RequireAuthorization();

        rides.MapPost("/", UploadRides).WithName("UploadRides")
            .WithSummary("Upload one ride file (raw text/csv or application/gzip body) or several (multipart/form-data), streamed to the raw bucket.")
            .Accepts<Stream>("text/csv", "application/gzip", "application/x-gzip", "application/octet-stream", "multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        rides.MapGet("/", ListRides).WithName("ListRides")
            .WithSummary("List the rides the caller may see, by metadata, with paging and sorting.")
            .ProducesProblem(StatusCodes.Status400BadRequest).CachedWhileCatalogUnchanged();
        rides.MapGet("/{id:guid}", GetRide).WithName("GetRide")
            .WithSummary("A ride's metadata, status and metrics.").ProducesProblem(StatusCodes.Status404NotFound).CachedWhileCatalogUnchanged();
        rides.MapGet("/{id:guid}/analytics", GetAnalytics).WithName("GetRideAnalytics")
            .WithSummary("The ride's metrics JSON, or with ?format=csv the analytics CSV (metric,value).")
            .Produces<RideMetrics>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).CachedWhileCatalogUnchanged();
        rides.MapGet("/{id:guid}/traces", GetTraces).WithName("GetRideTraces")
            .WithSummary("The ride's downsampled chart traces and turn marks; with from/to (seconds) and points, that time window thinned to at most points per channel (min/max kept).")
            .Produces<RideTraces>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        rides.MapPatch("/{id:guid}", UpdateRide).WithName("UpdateRide")
            .WithSummary("The rider renames the ride or changes its notes (owner or admin).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        rides.MapDelete("/{id:guid}", DeleteRide).WithName("DeleteRide")
            .WithSummary("The rider deletes the ride, its metrics and its raw file (owner or admin); a crash folder copy stays for R&D without the rider's name.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        rides.MapPost("/{id:guid}/analyze", AnalyzeRide).WithName("AnalyzeRide")
            .WithSummary("Recompute the ride's analytics (e.g. after an algorithm update).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        rides.MapPost("/analyze", AnalyzeSince).WithName("AnalyzeRidesSince")
            .WithSummary("Admins: recompute every ride uploaded since a date whose raw file is still kept.")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoleNames.Admin));
        rides.MapGet("/{id:guid}/raw", DownloadRaw).WithName("DownloadRideRaw")
            .WithSummary("The raw file while it is kept (streamed, or a redirect to a short-lived storage link); 410 with the date once deleted.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").Produces(StatusCodes.Status302Found)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        return endpoints;
    }

    public static async Task<Results<Created<UploadedRideDto>, Ok<UploadedRideDto>, Created<UploadBatchDto>, ProblemHttpResult>> UploadRides(
        HttpContext http,
        [FromQuery] string? fileName,
        [FromQuery] Guid? riderId,
        [FromQuery] string? profile,
        [FromQuery] string? deviceId,
        [FromQuery] string? source,
        [FromServices] CatalogDbContext db,
        [FromServices] RideIntake intake,
        [FromServices] IOptions<UploadOptions> options,
        [FromServices] TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (http.User.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var limits = options.Value;
        var contentType = http.Request.ContentType ?? "";
        var isMultipart = contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!isMultipart && !RawContentTypes.Any(t => contentType.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
        {
            return PipelineProblems.Create(StatusCodes.Status415UnsupportedMediaType, PipelineProblems.UnsupportedMediaType,
                "Unsupported content type.", $"Send the file as text/csv, application/gzip or multipart/form-data (was '{contentType}').");
        }

        // Refuse before reading a byte when the client says up front that the body is too large.
        var requestLimit = isMultipart ? limits.MaxFileBytes * limits.MaxFilesPerRequest : limits.MaxFileBytes;
        if (http.Request.ContentLength > requestLimit)
        {
            return PipelineProblems.TooLarge(isMultipart ? requestLimit : limits.MaxFileBytes);
        }

        var owner = riderId ?? caller.UserId;

        // A declared size beyond the owner's remaining quota is refused before a byte is read (only for owners
        // the caller may upload for: the answer tells how much is used).
        if (limits.UserQuotaBytes > 0 && http.Request.ContentLength is { } declared
            && await db.MayUploadForAsync(caller, owner, cancellationToken)
            && await RideIntake.UsedBytesAsync(db, owner, cancellationToken) is var used && declared > limits.UserQuotaBytes - used)
        {
            return PipelineProblems.From(new UploadQuotaExceededException(limits.UserQuotaBytes, used));
        }

        PipelineProblems.AllowBody(http, requestLimit);
        var rideSource = Enum.TryParse<RideSource>(source, ignoreCase: true, out var named) && named is RideSource.Web or RideSource.Bulk or RideSource.Api
            ? named
            : isMultipart ? RideSource.Web : RideSource.Api;
        if (!isMultipart)
        {
            if (!await db.MayUploadForAsync(caller, owner, cancellationToken))
            {
                return RiderNotAllowed(owner);
            }

            try
            {
                var result = await intake.IngestAsync(new RideUpload(owner, caller.UserId, rideSource, fileName, deviceId, profile), http.Request.Body, cancellationToken);
                var body = new UploadedRideDto(RideDto.From(result.Ride, time.GetUtcNow()), result.Duplicate);
                return result.Duplicate ? TypedResults.Ok(body) : TypedResults.Created(RideLocation(result.Ride.Id), body);
            }
            catch (UploadRefusedException refused)
            {
                return PipelineProblems.From(refused);
            }
            catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return PipelineProblems.TooLarge(limits.MaxFileBytes);
            }
        }

        var items = await UploadMultipartAsync(http, caller, new RideUpload(owner, caller.UserId, rideSource, null, deviceId, profile), db, intake, limits, time, cancellationToken);
        if (items is ProblemHttpResult problem)
        {
            return problem;
        }

        var list = (List<UploadItemDto>)items;
        if (list.FirstOrDefault(i => i.Ride is not null)?.Ride is not { } first)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.NoFileAccepted, "No file was accepted.",
                list.Count == 0 ? "The form carried no file." : string.Join(" ", list.Select(i => $"{i.FileName}: {i.Error?.Message}")),
                new Dictionary<string, object?> { ["items"] = list });
        }

        return TypedResults.Created(RideLocation(first.Id), new UploadBatchDto(list));
    }

    /// <summary>
    /// Reads the form section by section, never buffering: each file goes straight to the intake. A text
    /// field <c>riderId</c>, <c>profile</c> or <c>deviceId</c> applies to the files after it (bulk uploads
    /// for several riders). A refused file is reported and the next one is read.
    /// </summary>
    private static async Task<object> UploadMultipartAsync(
        HttpContext http, RideCaller caller, RideUpload defaults, CatalogDbContext db, RideIntake intake, UploadOptions limits, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.UnsupportedMediaType, "The multipart body has no boundary.");
        }

        var reader = new MultipartReader(boundary, http.Request.Body);
        var items = new List<UploadItemDto>();
        var current = defaults;
        var permitted = new Dictionary<Guid, bool>();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                var file = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (file is null)
                {
                    current = await ApplyFieldAsync(current, name, section, cancellationToken);
                    continue;
                }

                if (items.Count >= limits.MaxFilesPerRequest)
                {
                    items.Add(new UploadItemDto(file, null, false, new UploadErrorDto("too_many_files", $"At most {limits.MaxFilesPerRequest} files per request.")));
                    continue;
                }

                if (!permitted.TryGetValue(current.OwnerId, out var allowed))
                {
                    permitted[current.OwnerId] = allowed = await db.MayUploadForAsync(caller, current.OwnerId, cancellationToken);
                }

                if (!allowed)
                {
                    items.Add(new UploadItemDto(file, null, false, new UploadErrorDto(PipelineProblems.RiderNotAllowed, $"You may not upload rides for rider {current.OwnerId}.")));
                    continue;
                }

                try
                {
                    var result = await intake.IngestAsync(current with { FileName = file }, section.Body, cancellationToken);
                    items.Add(new UploadItemDto(result.Ride.FileName, RideDto.From(result.Ride, time.GetUtcNow()), result.Duplicate, null));
                }
                catch (UploadRefusedException refused)
                {
                    items.Add(new UploadItemDto(file, null, false, new UploadErrorDto(refused.Code, refused.Message)));
                }
            }
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            items.Add(new UploadItemDto("", null, false, new UploadErrorDto(UploadErrorCodes.FileTooLarge, "The request grew past the upload limit; the files before it were kept.")));
        }

        return items;
    }

    private static async Task<RideUpload> ApplyFieldAsync(RideUpload current, string name, MultipartSection section, CancellationToken cancellationToken)
    {
        var buffer = new char[256];
        using var text = new StreamReader(section.Body);
        var length = await text.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        var value = new string(buffer, 0, length).Trim();
        return name switch
        {
            "riderId" when Guid.TryParse(value, out var rider) => current with { OwnerId = rider },
            "profile" => current with { ProfileName = value.Length == 0 ? null : value },
            "deviceId" => current with { DeviceId = value.Length == 0 ? null : value },
            _ => current,
        };
    }

    public static async Task<Results<Ok<RidePageDto>, ProblemHttpResult>> ListRides(
        [AsParameters] RideListQuery query,
        ClaimsPrincipal user,
        [FromServices] CatalogDbContext db,
        [FromServices] TimeProvider time,
        CancellationToken cancellationToken,
        [FromServices] RideMetricsCache? metricsCache = null,
        HttpContext? http = null)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        if (query.Page < 1 || query.PageSize is < 1 or > MaxPageSize)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidQuery, "Invalid paging.",
                $"page starts at 1 and pageSize runs from 1 to {MaxPageSize}.");
        }

        var rides = db.Rides.AsNoTracking().VisibleTo(db, caller);
        if (query.Rider is { } rider)
        {
            rides = rides.Where(r => r.OwnerId == rider);
        }

        if (!string.IsNullOrWhiteSpace(query.Device))
        {
            rides = rides.Where(r => r.DeviceId == query.Device);
        }

        if (query.Source is { } source)
        {
            rides = rides.Where(r => r.Source == source);
        }

        if (query.Status is { } status)
        {
            rides = rides.Where(r => r.Status == status);
        }
        else if (query.ExcludeFailed)
        {
            rides = rides.Where(r => r.Status != RideStatus.Failed);
        }

        if (query.Crash is { } crash)
        {
            rides = rides.Where(r => r.CrashDetected == crash);
        }

        if (query.From is { } from)
        {
            rides = rides.Where(r => r.StartedAt >= from);
        }

        if (query.To is { } to)
        {
            rides = rides.Where(r => r.StartedAt < to);
        }

        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            var pattern = $"%{query.Q.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";
            rides = rides.Where(r => EF.Functions.Like(r.FileName.ToLower(), pattern.ToLower(), "\\")
                || (r.Title != null && EF.Functions.Like(r.Title.ToLower(), pattern.ToLower(), "\\")));
        }

        if (!string.IsNullOrWhiteSpace(query.Sha256))
        {
            var sha = query.Sha256.Trim().ToLowerInvariant();
            rides = rides.Where(r => r.Sha256 == sha);
        }

        if (Sort(rides, query.Sort) is not { } sorted)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidQuery, "Unknown sort.",
                "sort is one of startedAt, uploadedAt, fileName, status, size, distance, maxSpeed, duration; prefix '-' for descending.");
        }

        var page = await sorted.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToListAsync(cancellationToken);

        // A first page that is not full already says how many match; otherwise count, but not past the cap.
        var total = query.Page == 1 && page.Count < query.PageSize
            ? page.Count
            : await rides.Take(MaxCountedTotal + 1).CountAsync(cancellationToken);
        var now = time.GetUtcNow();
        CatalogReadCache.AnswerValidUntil(http, page.Select(r => RawAvailableUntil(r, now)).Min());
        return TypedResults.Ok(new RidePageDto(
            page.Select(r => RideDto.From(r, now, metricsCache)).ToList(), Math.Min(total, MaxCountedTotal), query.Page, query.PageSize, total > MaxCountedTotal));
    }

    private static IQueryable<Ride>? Sort(IQueryable<Ride> rides, string? sort)
    {
        var key = string.IsNullOrWhiteSpace(sort) ? "-uploadedAt" : sort.Trim();
        var descending = key.StartsWith('-');
        key = key.TrimStart('-', '+').ToLowerInvariant();
        return key switch
        {
            "startedat" => descending ? rides.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.StartedAt).ThenBy(r => r.Id),
            "uploadedat" => descending ? rides.OrderByDescending(r => r.UploadedAt).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.UploadedAt).ThenBy(r => r.Id),
            "filename" => descending ? rides.OrderByDescending(r => r.FileName).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.FileName).ThenBy(r => r.Id),
            "status" => descending ? rides.OrderByDescending(r => r.Status).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.Status).ThenBy(r => r.Id),
            "size" => descending ? rides.OrderByDescending(r => r.SizeBytes).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.SizeBytes).ThenBy(r => r.Id),
            "distance" => descending ? rides.OrderByDescending(r => r.DistanceKm).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.DistanceKm).ThenBy(r => r.Id),
            "maxspeed" => descending ? rides.OrderByDescending(r => r.MaxSpeedKmh).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.MaxSpeedKmh).ThenBy(r => r.Id),
            "duration" => descending ? rides.OrderByDescending(r => r.DurationS).ThenByDescending(r => r.Id) : rides.OrderBy(r => r.DurationS).ThenBy(r => r.Id),
            _ => null,
        };
    }

    public static async Task<Results<Ok<RideDto>, ProblemHttpResult>> GetRide(
        Guid id, ClaimsPrincipal user, [FromServices] CatalogDbContext db, [FromServices] TimeProvider time, CancellationToken cancellationToken,
        [FromServices] RideMetricsCache? metricsCache = null, HttpContext? http = null)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var ride = await db.FindVisibleRideReadOnlyAsync(caller, id, cancellationToken);
        if (ride is null)
        {
            return PipelineProblems.RideMissing(id);
        }

        var now = time.GetUtcNow();
        CatalogReadCache.AnswerValidUntil(http, RawAvailableUntil(ride, now));
        return TypedResults.Ok(RideDto.From(ride, now, metricsCache));
    }

    public static async Task<Results<Ok<RideMetrics>, FileStreamHttpResult, ProblemHttpResult>> GetAnalytics(
        Guid id,
        [FromQuery] string? format,
        ClaimsPrincipal user,
        [FromServices] CatalogDbContext db,
        [FromServices] IObjectStorage storage,
        [FromServices] RideMetricsCache metricsCache,
        CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        // One round trip with the JSON (a few kB): parsed once per analysis (the metrics cache), the answer itself is
        // kept by the read cache.
        var ride = await db.Rides.AsNoTracking().VisibleTo(db, caller).Where(r => r.Id == id)
            .Select(r => new { r.Status, r.AnalysisVersion, r.AnalyzedAt, r.FailureCode, r.FailureMessage, r.MetricsJson })
            .FirstOrDefaultAsync(cancellationToken);
        if (ride is null)
        {
            return PipelineProblems.RideMissing(id);
        }

        if (ride is not { Status: RideStatus.Analyzed, MetricsJson: { } json })
        {
            return NotAnalyzed(ride.Status, ride.FailureCode, ride.FailureMessage);
        }

        if (string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
        {
            return await OpenAnalyticsAsync(storage, PipelineKeys.MetricsCsv(id), cancellationToken) is { } csv
                ? TypedResults.Stream(csv, "text/csv", $"{id}.metrics.csv")
                : AnalyticsMissing();
        }

        return format is null || string.Equals(format, "json", StringComparison.OrdinalIgnoreCase)
            ? TypedResults.Ok(metricsCache.GetOrParse(new RideAnalysisKey(id, ride.AnalysisVersion, ride.AnalyzedAt), json))
            : PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidQuery, "Unknown format.", "format is json (default) or csv.");
    }

    public static async Task<Results<FileStreamHttpResult, Ok<RideTraces>, ProblemHttpResult>> GetTraces(
        Guid id, ClaimsPrincipal user, [FromServices] CatalogDbContext db, [FromServices] IObjectStorage storage,
        double? from, double? to, int? points, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        if (TraceWindows.Validate(from, to, points) is { } invalid)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidQuery, "Invalid trace window.", invalid);
        }

        var ride = await db.FindVisibleRideReadOnlyAsync(caller, id, cancellationToken);
        if (ride is null)
        {
            return PipelineProblems.RideMissing(id);
        }

        if (ride.Status != RideStatus.Analyzed)
        {
            return NotAnalyzed(ride);
        }

        var traces = await OpenAnalyticsAsync(storage, PipelineKeys.Traces(id), cancellationToken);
        if (traces is null)
        {
            return AnalyticsMissing();
        }

        if (from is null && to is null && points is null)
        {
            return TypedResults.Stream(traces, "application/json"); // the result disposes the stream
        }

        await using (traces)
        {
            var stored = await JsonSerializer.DeserializeAsync<RideTraces>(traces, Portal.Jobs.Pipeline.PipelineJson.Options, cancellationToken) ?? new RideTraces([], []);
            return TypedResults.Ok(TraceWindows.Cut(stored, from, to, points ?? TraceWindows.MaxPoints));
        }
    }

    public static async Task<Results<Ok<RideDto>, ProblemHttpResult>> UpdateRide(
        Guid id, RidePatchDto? patch, ClaimsPrincipal user, [FromServices] RideEditing editing, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        if (patch is null)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidRideChange, "Nothing to change.",
                "Send a JSON object with title and/or notes.");
        }

        var result = await editing.UpdateAsync(caller, id, new RideChanges(patch.Title, patch.Notes), cancellationToken);
        return result.Outcome switch
        {
            RideEditOutcome.Done => TypedResults.Ok(RideDto.From(result.Ride!, time.GetUtcNow())),
            _ => EditProblem(id, result),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteRide(
        Guid id, ClaimsPrincipal user, [FromServices] RideEditing editing, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var result = await editing.DeleteAsync(caller, id, cancellationToken);
        return result.Outcome == RideEditOutcome.Done ? TypedResults.NoContent() : EditProblem(id, result);
    }

    private static ProblemHttpResult EditProblem(Guid id, RideEditResult result) => result.Outcome switch
    {
        RideEditOutcome.Forbidden => PipelineProblems.Create(StatusCodes.Status403Forbidden, PipelineProblems.NotRideOwner, "Not your ride.", result.Error),
        RideEditOutcome.Invalid => PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidRideChange, "Invalid change.", result.Error),
        RideEditOutcome.Busy => PipelineProblems.Create(StatusCodes.Status409Conflict, PipelineProblems.RideBusy, "Ride is being analysed.", result.Error),
        _ => PipelineProblems.RideMissing(id),
    };

    public static async Task<Results<Accepted<RideDto>, ProblemHttpResult>> AnalyzeRide(
        Guid id, ClaimsPrincipal user, [FromServices] CatalogDbContext db, [FromServices] IRideJobScheduler scheduler, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var ride = await db.FindVisibleRideAsync(caller, id, cancellationToken);
        if (ride is null)
        {
            return PipelineProblems.RideMissing(id);
        }

        var now = time.GetUtcNow();
        if (RawExpiry(ride, now) is { } expiredAt)
        {
            return RawGone(ride, expiredAt);
        }

        // Already waiting or running: one job is enough.
        if (ride.Status is not (RideStatus.Queued or RideStatus.Processing))
        {
            ride.Status = RideStatus.Queued;
            ride.ProgressPercent = 0;
            await db.SaveChangesAsync(cancellationToken);
            scheduler.EnqueueAnalysis(ride.Id);
        }

        return TypedResults.Accepted(RideLocation(ride.Id), RideDto.From(ride, now));
    }

    public static async Task<Results<Accepted<ReanalysisDto>, ProblemHttpResult>> AnalyzeSince(
        [FromQuery] DateTimeOffset? since, [FromServices] CatalogDbContext db, [FromServices] IRideJobScheduler scheduler, CancellationToken cancellationToken)
    {
        if (since is not { } from)
        {
            return PipelineProblems.Create(StatusCodes.Status400BadRequest, PipelineProblems.InvalidQuery, "since is required.", "Give ?since= as an ISO 8601 date.");
        }

        var ids = await db.Rides
            .Where(r => r.UploadedAt >= from && r.RawDeletedAt == null && r.Status != RideStatus.Queued && r.Status != RideStatus.Processing)
            .Select(r => r.Id)
            .ToListAsync(cancellationToken);
        foreach (var chunk in ids.Chunk(500))
        {
            await db.Rides.Where(r => chunk.Contains(r.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RideStatus.Queued).SetProperty(r => r.ProgressPercent, 0), cancellationToken);
            foreach (var rideId in chunk)
            {
                scheduler.EnqueueAnalysis(rideId);
            }
        }

        return TypedResults.Accepted((string?)null, new ReanalysisDto(ids.Count));
    }

    public static async Task<Results<FileStreamHttpResult, RedirectHttpResult, ProblemHttpResult>> DownloadRaw(
        Guid id, ClaimsPrincipal user, [FromServices] CatalogDbContext db, [FromServices] IObjectStorage storage, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var ride = await db.FindVisibleRideReadOnlyAsync(caller, id, cancellationToken);
        if (ride is null)
        {
            return PipelineProblems.RideMissing(id);
        }

        if (RawExpiry(ride, time.GetUtcNow()) is { } expiredAt)
        {
            return RawGone(ride, expiredAt);
        }

        var contentType = ride.Compressed ? "application/gzip" : "text/csv";
        if (await storage.GetDownloadUriAsync(BucketKind.Raw, ride.RawKey, DownloadLinkLifetime, cancellationToken) is { } link)
        {
            return TypedResults.Redirect(link.AbsoluteUri);
        }

        try
        {
            var stream = await storage.OpenReadAsync(BucketKind.Raw, ride.RawKey, cancellationToken);
            return TypedResults.Stream(stream, contentType, ride.FileName);
        }
        catch (ObjectNotFoundException)
        {
            return PipelineProblems.Create(StatusCodes.Status404NotFound, PipelineProblems.RawMissing, "The raw file is missing from storage.");
        }
    }

    /// <summary>When the raw file stopped being available (deleted, or past its deadline); null while it can be downloaded.</summary>
    public static DateTimeOffset? RawExpiry(Ride ride, DateTimeOffset now) =>
        ride.RawDeletedAt ?? (ride.RawRetainUntil is { } until && until <= now ? until : null);

    /// <summary>When "raw available" turns false by itself (the retention deadline still ahead), if it will.</summary>
    private static DateTimeOffset? RawAvailableUntil(Ride ride, DateTimeOffset now) =>
        RawExpiry(ride, now) is null && ride.RawRetainUntil is { } until ? until : null;

    internal static string RideLocation(Guid rideId) => $"/api/rides/{rideId}";

    private static ProblemHttpResult RawGone(Ride ride, DateTimeOffset expiredAt) =>
        PipelineProblems.Create(StatusCodes.Status410Gone, PipelineProblems.RawExpired, "The raw file is no longer kept.",
            $"The raw file of {ride.FileName} expired on {expiredAt:yyyy-MM-dd}; its metrics remain.",
            new Dictionary<string, object?> { ["expiredAt"] = expiredAt });

    private static ProblemHttpResult NotAnalyzed(Ride ride) => NotAnalyzed(ride.Status, ride.FailureCode, ride.FailureMessage);

    private static ProblemHttpResult NotAnalyzed(RideStatus status, string? failureCode, string? failureMessage) =>
        PipelineProblems.Create(StatusCodes.Status409Conflict, PipelineProblems.NotAnalyzed, "The ride has no analytics yet.",
            failureMessage is { } reason ? $"The analysis failed: {reason}" : $"The ride is {status.ToString().ToLowerInvariant()}.",
            new Dictionary<string, object?> { ["status"] = status.ToString(), ["failureCode"] = failureCode });

    private static ProblemHttpResult RiderNotAllowed(Guid riderId) =>
        PipelineProblems.Create(StatusCodes.Status403Forbidden, PipelineProblems.RiderNotAllowed, "You may not upload for this rider.",
            $"Riders upload for themselves, technicians for their team's professional riders, admins for anyone (rider {riderId}).");

    /// <summary>The analytics object, or null when it is missing (the ride then needs a re-analysis).</summary>
    private static async Task<Stream?> OpenAnalyticsAsync(IObjectStorage storage, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await storage.OpenReadAsync(BucketKind.Analytics, key, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    private static ProblemHttpResult AnalyticsMissing() =>
        PipelineProblems.Create(StatusCodes.Status404NotFound, PipelineProblems.AnalyticsMissing, "The analytics object is missing; ask for a re-analysis.");
}
