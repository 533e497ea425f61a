using System.Text.Json.Serialization;
using Portal.Api;
using Scalar.AspNetCore;

namespace Portal.Hosting;

/// <summary>OpenAPI document, the API reference page, ProblemDetails with stable codes.</summary>
public static class ApiHosting
{
    public const string ReferencePath = "/api/docs";

    public static IHostApplicationBuilder AddPortalApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd(ApiErrors.CodeKey, ApiErrors.ForStatus(status));
        });
        // Storage and database outages answer 503 + Retry-After (UsePortalPipeline installs the handler middleware).
        builder.Services.AddExceptionHandler<ServiceUnavailableExceptionHandler>();
        // Enums travel by name ("Professional"), never by their number.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddOpenApi();
        builder.AddCatalogReadCache();
        return builder;
    }

    /// <summary>/api/auth, /api/me, /api/admin/users, the OpenAPI document (/openapi/v1.json) and its reference page.</summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi();
        endpoints.MapScalarApiReference(ReferencePath, options => options
            .WithTitle("Ride Portal API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableTelemetry());
        endpoints.MapAuthApi();
        endpoints.MapMeApi();
        endpoints.MapAdminUsersApi();
        return endpoints;
    }
}
