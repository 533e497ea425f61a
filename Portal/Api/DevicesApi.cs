using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Devices;

namespace Portal.Api;

public sealed record CreateDeviceRequest(string? Name, Guid RiderId, string? Profile, string? Model);

/// <summary>The device's id and its secret: the only response that ever contains the secret.</summary>
public sealed record DeviceSecretResponse(string Id, string Secret);

public sealed record DeviceResponse(
    string Id,
    string Name,
    string? Model,
    Guid RiderId,
    string? Profile,
    bool Disabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSeenAt,
    long MessagesAccepted,
    long MessagesRejected);

/// <summary>
/// /api/devices: admins manage every device, technicians the devices of their approved team's riders,
/// riders see their own. Secrets are returned once, on registration and rotation.
/// </summary>
public static class DevicesApi
{
    private const string Admin = "Admin";
    private const string Technician = "Technician";

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder endpoints)
    {
        var devices = endpoints.MapGroup("/api/devices").WithTags("Devices").RequireAuthorization();
        devices.MapPost("/", CreateDeviceAsync)
            .WithName("CreateDevice")
            .WithSummary("Registers a device for a rider and returns its id and secret (shown only this once).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        devices.MapGet("/", ListDevicesAsync)
            .WithName("ListDevices")
            .WithSummary("Devices visible to the caller: all (admin), the team's (technician), their own (rider).");
        devices.MapPost("/{id}/secret", RotateSecretAsync)
            .WithName("RotateDeviceSecret")
            .WithSummary("Replaces the device's secret; the old one stops working at once. The new secret is shown only this once.");
        devices.MapPost("/{id}/disable", DisableDeviceAsync)
            .WithName("DisableDevice")
            .WithSummary("Disables the device: it can no longer connect or submit rides.");
        return endpoints;
    }

    public static async Task<Results<Created<DeviceSecretResponse>, ProblemHttpResult>> CreateDeviceAsync(
        CreateDeviceRequest request, ClaimsPrincipal user, CatalogDbContext catalog, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200)
        {
            return Problem(StatusCodes.Status400BadRequest, "name_required", "A device needs a name of 1 to 200 characters.");
        }

        var rider = await catalog.Riders.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == request.RiderId, cancellationToken);
        if (!user.IsInRole(Admin) && !IsTechnicianOf(user, rider))
        {
            return Problem(StatusCodes.Status403Forbidden, "not_your_rider", "Only an admin, or the technician of the rider's approved team, registers devices for a rider.");
        }

        if (rider is null)
        {
            return Problem(StatusCodes.Status400BadRequest, "rider_not_found", $"There is no rider {request.RiderId}.");
        }

        var registered = await registry.RegisterAsync(new DeviceRegistration(name, rider.UserId, request.Model, request.Profile), cancellationToken);
        return TypedResults.Created($"/api/devices/{registered.Device.Id}", new DeviceSecretResponse(registered.Device.Id, registered.Secret));
    }

    public static async Task<Ok<DeviceResponse[]>> ListDevicesAsync(ClaimsPrincipal user, CatalogDbContext catalog, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return TypedResults.Ok(Array.Empty<DeviceResponse>());
        }

        var list = await catalog.Set<Device>().AsNoTracking().VisibleTo(catalog, caller)
            .OrderBy(d => d.Name).ThenBy(d => d.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(list.Select(ToResponse).ToArray());
    }

    public static async Task<Results<Ok<DeviceSecretResponse>, ProblemHttpResult>> RotateSecretAsync(
        string id, ClaimsPrincipal user, CatalogDbContext catalog, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        if (await AuthorizeManageAsync(id, user, catalog, cancellationToken) is { } problem)
        {
            return problem;
        }

        var rotated = await registry.RotateSecretAsync(id, cancellationToken);
        return rotated is null
            ? DeviceNotFound(id)
            : TypedResults.Ok(new DeviceSecretResponse(rotated.Device.Id, rotated.Secret));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DisableDeviceAsync(
        string id, ClaimsPrincipal user, CatalogDbContext catalog, DeviceRegistry registry, CancellationToken cancellationToken)
    {
        if (await AuthorizeManageAsync(id, user, catalog, cancellationToken) is { } problem)
        {
            return problem;
        }

        return await registry.DisableAsync(id, cancellationToken) ? TypedResults.NoContent() : DeviceNotFound(id);
    }

    /// <summary>Null when the caller may manage the device; otherwise 404 (unknown) or 403.</summary>
    private static async Task<ProblemHttpResult?> AuthorizeManageAsync(string id, ClaimsPrincipal user, CatalogDbContext catalog, CancellationToken cancellationToken)
    {
        var device = await catalog.Set<Device>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (device is null)
        {
            return user.IsInRole(Admin) || user.IsInRole(Technician) ? DeviceNotFound(id) : NotAllowed();
        }

        if (user.IsInRole(Admin))
        {
            return null;
        }

        var rider = await catalog.Riders.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == device.RiderId, cancellationToken);
        return IsTechnicianOf(user, rider) ? null : NotAllowed();
    }

    private static bool IsTechnicianOf(ClaimsPrincipal user, RiderProfile? rider) =>
        user.IsInRole(Technician) && rider is { TeamMembershipApproved: true } && rider.TechnicianId == CallerId(user);

    private static Guid? CallerId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    private static DeviceResponse ToResponse(Device d) =>
        new(d.Id, d.Name, d.Model, d.RiderId, d.ProfileName, d.Disabled, d.CreatedAt, d.LastSeenAt, d.MessagesAccepted, d.MessagesRejected);

    private static ProblemHttpResult DeviceNotFound(string id) => Problem(StatusCodes.Status404NotFound, "device_not_found", $"There is no device {id}.");

    private static ProblemHttpResult NotAllowed() =>
        Problem(StatusCodes.Status403Forbidden, "not_your_device", "Only an admin, or the technician of the device's rider's approved team, manages this device.");

    private static ProblemHttpResult Problem(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code });
}
