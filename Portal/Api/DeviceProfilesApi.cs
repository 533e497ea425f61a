using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Analytics;
using Portal.Core.Devices;
using Portal.Core.Rides;

namespace Portal.Api;

/// <summary>
/// A device profile as submitted: <c>columns</c> maps canonical channels (timestamp, ax … alt) to the file's
/// column names; units by name (acceleration Auto|MetersPerSecondSquared|G, angularRate DegreesPerSecond|RadiansPerSecond,
/// speed KilometersPerHour|MetersPerSecond|MilesPerHour|Knots, time Auto|Iso8601|EpochSeconds|EpochMilliseconds|EpochNanoseconds|
/// RelativeSeconds|RelativeMilliseconds|RelativeMicroseconds|RelativeNanoseconds); <c>mount</c> {roll, pitch, yaw} in degrees, or
/// absent to let the analysis estimate it.
/// </summary>
public sealed record DeviceProfileRequest(
    string? Name,
    string? Description,
    Dictionary<string, string?>? Columns,
    string? Acceleration,
    string? AngularRate,
    string? Speed,
    string? Time,
    DeviceProfileMountDraft? Mount = null)
{
    public DeviceProfileDraft ToDraft() => new(Name, Description, Columns, Acceleration, AngularRate, Speed, Time, Mount);
}

/// <summary>A stored profile; units by name, <c>devices</c> = enabled devices bound to it.</summary>
public sealed record DeviceProfileResponse(
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string> Columns,
    string Acceleration,
    string AngularRate,
    string Speed,
    string Time,
    int Devices,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    SensorMount? Mount = null)
{
    public static DeviceProfileResponse From(DeviceProfileView view) =>
        new(view.Name, view.Description, view.Profile.Columns, view.Profile.Acceleration.ToString(), view.Profile.AngularRate.ToString(),
            view.Profile.Speed.ToString(), view.Profile.Time.ToString(), view.DeviceCount, view.CreatedAt, view.UpdatedAt, view.Profile.Mount);
}

/// <summary>/api/device-profiles: staff (technicians, R&amp;D, admins) read them; only admins change them.</summary>
public static class DeviceProfilesApi
{
    public const string InvalidProfile = "invalid_profile";
    public const string ProfileNotFound = "profile_not_found";
    public const string ProfileNameTaken = "profile_name_taken";
    public const string ProfileInUse = "profile_in_use";
    public const string EmptySample = "empty_sample";

    public static IEndpointRouteBuilder MapDeviceProfilesApi(this IEndpointRouteBuilder endpoints)
    {
        var profiles = endpoints.MapGroup("/api/device-profiles").WithTags("Device profiles")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoleNames.Technician, PortalRoleNames.RnD, PortalRoleNames.Admin));
        profiles.MapGet("/", ListAsync).WithName("ListDeviceProfiles")
            .WithSummary("Every stored device profile with the number of devices bound to it.");
        profiles.MapPost("/", CreateAsync).WithName("CreateDeviceProfile")
            .WithSummary("Admins: store a new profile (column mapping, units, time base).")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoleNames.Admin))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        profiles.MapPost("/suggest", SuggestAsync).WithName("SuggestDeviceProfile")
            .WithSummary("Admins: send a sample ride file as the body; get the suggested mapping, units and time base, how each was decided, and a preview of the first metrics (the first 8 MB are analysed).")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoleNames.Admin))
            .ProducesProblem(StatusCodes.Status400BadRequest);
        profiles.MapPut("/{name}", UpdateAsync).WithName("UpdateDeviceProfile")
            .WithSummary("Admins: replace a profile's mapping, units and description (the name stays).")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoleNames.Admin))
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        profiles.MapDelete("/{name}", DeleteAsync).WithName("DeleteDeviceProfile")
            .WithSummary("Admins: delete a profile; refused (409 profile_in_use) while a device is bound to it.")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoleNames.Admin))
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return endpoints;
    }

    public static async Task<Ok<DeviceProfileResponse[]>> ListAsync(DeviceProfileCatalog profiles, CancellationToken cancellationToken) =>
        TypedResults.Ok((await profiles.ListAsync(cancellationToken)).Select(DeviceProfileResponse.From).ToArray());

    public static async Task<Results<Created<DeviceProfileResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        DeviceProfileRequest request, DeviceProfileCatalog profiles, CancellationToken cancellationToken)
    {
        var result = await profiles.CreateAsync(request.ToDraft(), cancellationToken);
        return result.Outcome switch
        {
            DeviceProfileOutcome.Saved => TypedResults.Created($"/api/device-profiles/{Uri.EscapeDataString(result.Profile!.Name)}", DeviceProfileResponse.From(result.Profile)),
            DeviceProfileOutcome.Invalid => Invalid(result),
            _ => ApiErrors.Problem(StatusCodes.Status409Conflict, ProfileNameTaken, "The profile name is taken.",
                $"A device profile named '{DeviceProfileRules.CleanName(request.Name)}' exists already; edit it or pick another name."),
        };
    }

    public static async Task<Results<Ok<DeviceProfileResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string name, DeviceProfileRequest request, DeviceProfileCatalog profiles, CancellationToken cancellationToken)
    {
        var result = await profiles.UpdateAsync(name, request.ToDraft(), cancellationToken);
        return result.Outcome switch
        {
            DeviceProfileOutcome.Saved => TypedResults.Ok(DeviceProfileResponse.From(result.Profile!)),
            DeviceProfileOutcome.Invalid => Invalid(result),
            _ => NotFound(name),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, DeviceProfileCatalog profiles, CancellationToken cancellationToken)
    {
        var result = await profiles.DeleteAsync(name, cancellationToken);
        return result.Outcome switch
        {
            DeviceProfileOutcome.Deleted => TypedResults.NoContent(),
            DeviceProfileOutcome.InUse => ApiErrors.Problem(StatusCodes.Status409Conflict, ProfileInUse, "The profile is in use.",
                $"{result.DevicesUsing} device(s) are bound to '{name}'; bind them to another profile or disable them first."),
            _ => NotFound(name),
        };
    }

    public static async Task<Results<Ok<DeviceProfileSuggestion>, ProblemHttpResult>> SuggestAsync(
        HttpRequest request, DeviceProfileSuggester suggester, CancellationToken cancellationToken)
    {
        var (sample, truncated) = await DeviceProfileSuggester.ReadSampleAsync(request.Body, cancellationToken);
        if (sample.Length == 0)
        {
            return ApiErrors.Problem(StatusCodes.Status400BadRequest, EmptySample, "No sample file.",
                "Send a sample ride file (CSV or .csv.gz) as the request body.");
        }

        return TypedResults.Ok(await suggester.SuggestAsync(sample, truncated, adjusted: null, cancellationToken));
    }

    private static ValidationProblem Invalid(DeviceProfileResult result) =>
        TypedResults.ValidationProblem(result.Errors!, title: "The device profile is not valid.",
            extensions: new Dictionary<string, object?> { [ApiErrors.CodeKey] = InvalidProfile });

    private static ProblemHttpResult NotFound(string name) =>
        ApiErrors.Problem(StatusCodes.Status404NotFound, ProfileNotFound, "Device profile not found.", $"There is no device profile '{name}'.");
}
