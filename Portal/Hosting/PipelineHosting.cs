using Microsoft.AspNetCore.Diagnostics;
using Portal.Api;

namespace Portal.Hosting;

public static class PipelineHosting
{
    private static bool IsPageRequest(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method)
        && !context.Request.Path.StartsWithSegments("/api")
        && !context.Request.Path.StartsWithSegments("/health")
        && !context.Request.Path.StartsWithSegments("/hangfire")
        && !context.Request.Path.StartsWithSegments("/_framework")
        && !context.Request.Path.StartsWithSegments("/_content")
        && !context.Request.Path.StartsWithSegments("/_blazor");

    /// <summary>
    /// Forwarded headers, errors (never exception details unless Security:DetailedErrors), ProblemDetails on /api,
    /// the portal's 404 page, security headers, authentication, session revocation, the same-origin API rule,
    /// rate limits, antiforgery.
    /// </summary>
    public static WebApplication UsePortalPipeline(this WebApplication app)
    {
        app.UseForwardedHeadersFromProxy();
        var security = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityOptions>>().Value;
        if (!security.DetailedErrors)
        {
            // Also in Development: the framework's developer exception page is outside this handler and never sees an exception.
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                CreateScopeForErrors = true,
                StatusCodeSelector = PageErrorStatus,
            });
        }

        if (!app.Environment.IsDevelopment())
        {
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
        app.UseSecurityHeaders();
        app.UseAuthentication();
        app.UseSessionRevocation();
        app.UseSameOriginApi();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();
        // After authorization: a cached answer is only ever served to a caller allowed to ask.
        app.UseCatalogReadCache();
        return app;
    }

    /// <summary>Query text a page cannot read (<c>?a=x</c> for a ride id) is the caller's mistake: 400, not 500.</summary>
    private static int PageErrorStatus(Exception failure) => failure switch
    {
        BadHttpRequestException refused => refused.StatusCode,
        Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException => StatusCodes.Status400BadRequest,
        InvalidOperationException when failure.Message.StartsWith("Cannot parse the value", StringComparison.Ordinal) => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };
}
