using Microsoft.AspNetCore.Diagnostics;
using Portal.Api;

namespace Portal.Hosting;

public static class PipelineHosting
{
    /// <summary>Errors, exceptions and status codes as ProblemDetails on /api, security headers, authentication, antiforgery.</summary>
    private static bool IsPageRequest(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method)
        && !context.Request.Path.StartsWithSegments("/api")
        && !context.Request.Path.StartsWithSegments("/health")
        && !context.Request.Path.StartsWithSegments("/hangfire")
        && !context.Request.Path.StartsWithSegments("/_framework")
        && !context.Request.Path.StartsWithSegments("/_content")
        && !context.Request.Path.StartsWithSegments("/_blazor");

    public static WebApplication UsePortalPipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts();
        }

        // API failures are ProblemDetails in every environment; outages become 503 + Retry-After. A request the
        // framework refused (malformed JSON, a body over the limit) keeps its own 4xx status instead of 500.
        var apiExceptions = new ExceptionHandlerOptions
        {
            StatusCodeSelector = failure => failure is BadHttpRequestException refused ? refused.StatusCode : StatusCodes.Status500InternalServerError,
        };
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler(apiExceptions).UseStatusCodePages());
        // A mistyped page address gets the portal's own "not found" page, inside its layout, still with status 404;
        // anything but a page request (API, health, framework files, forms) keeps its own answer.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (!IsPageRequest(context) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } statusPages)
            {
                statusPages.Enabled = false;
            }

            return next(context);
        });
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            // Same-origin framing only: /admin/jobs frames the Hangfire dashboard.
            headers.XFrameOptions = "SAMEORIGIN";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        // After authorization: a cached answer is only ever served to a caller allowed to ask.
        app.UseCatalogReadCache();
        return app;
    }
}
