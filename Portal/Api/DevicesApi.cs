using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
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
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder endpoints)
    {
        var devices = endpoints.MapGroup("/api/devices").WithTags("Devices").RequireAuthorization();
        devices.MapPost("/", CreateDeviceAsync)
            .WithName("CreateDevice")
            .WithSummary("Registers a device for a rider and returns its id and secret (shown only this once).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
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
        CreateDeviceRequest request, ClaimsPrincipal user, DeviceManagement devices, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var registered = await devices.RegisterAsync(caller, new DeviceRegistrationRequest(request.Name, request.RiderId, request.Profile, request.Model), cancellationToken);
        return registered.Value is { } value
            ? TypedResults.Created($"/api/devices/{value.Device.Id}", new DeviceSecretResponse(value.Device.Id, value.Secret))
            : Problem(registered.Refusal!);
    }

    public static async Task<Results<Ok<DeviceResponse[]>, ProblemHttpResult>> ListDevicesAsync(ClaimsPrincipal user, DeviceManagement devices, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var list = await devices.ListAsync(caller, cancellationToken);
        return TypedResults.Ok(list.Select(d => ToResponse(d.Device)).ToArray());
    }

    public static async Task<Results<Ok<DeviceSecretResponse>, ProblemHttpResult>> RotateSecretAsync(
        string id, ClaimsPrincipal user, DeviceManagement devices, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var rotated = await devices.RotateSecretAsync(caller, id, cancellationToken);
        return rotated.Value is { } value
            ? TypedResults.Ok(new DeviceSecretResponse(value.Device.Id, value.Secret))
            : Problem(rotated.Refusal!);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DisableDeviceAsync(
        string id, ClaimsPrincipal user, DeviceManagement devices, CancellationToken cancellationToken)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return PipelineProblems.NoCaller();
        }

        var disabled = await devices.DisableAsync(caller, id, cancellationToken);
        return disabled.Value is not null ? TypedResults.NoContent() : Problem(disabled.Refusal!);
    }

    private static DeviceResponse ToResponse(Device d) =>
        new(d.Id, d.Name, d.Model, d.RiderId, d.ProfileName, d.Disabled, d.CreatedAt, d.LastSeenAt, d.MessagesAccepted, d.MessagesRejected);

    /// <summary>A refusal as ProblemDetails: invalid → 400, not allowed → 403, unknown → 404, with its code.</summary>
    private static ProblemHttpResult Problem(DeviceRefusal refusal) =>
        TypedResults.Problem(
            detail: refusal.Message,
            statusCode: refusal.Kind switch
            {
                DeviceRefusalKind.Forbidden => StatusCodes.Status403Forbidden,
                DeviceRefusalKind.NotFound => StatusCodes.Status404NotFound,
                _ => StatusCodes.Status400BadRequest,
            },
            extensions: new Dictionary<string, object?> { [ApiErrors.CodeKey] = refusal.Code });
}
