using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Portal.Core.Catalog;

namespace Portal.Api;

/// <summary>
/// Answers of the read endpoints (retrieve analytics, a ride, list by metadata) kept in memory per caller and query
/// while the catalog has not changed: the key holds the <see cref="CatalogWatermark"/>, so any committed change to
/// rides or team memberships, in any process, makes new keys (issue #4: retrieve and list at 250 clients).
/// </summary>
public static class CatalogReadCache
{
    public const string PolicyName = "catalog-read";

    public static IHostApplicationBuilder AddCatalogReadCache(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOutputCache(options =>
        {
            // Metrics, ride pages: up to some 100 kB each. A CSV or anything large streams from its source every time.
            options.MaximumBodySize = 256 << 10;
            options.AddPolicy(PolicyName, new CatalogReadCachePolicy());
        });
        builder.Services.AddOptions<OutputCacheOptions>().Configure<IOptions<ReadCacheOptions>>((output, readCache) =>
            output.SizeLimit = (long)readCache.Value.SizeLimitMegabytes << 20);
        // A page of 50 rides is some 50 kB of JSON, a sixth of it gzipped; compressed once when it is kept, the
        // cache then serves the small copy to every client that accepts gzip.
        builder.Services.AddResponseCompression(options =>
        {
            // Ride answers carry no secret next to text an attacker could choose (BREACH), so https is fine too.
            options.EnableForHttps = true;
            options.MimeTypes = ["application/json"];
            options.Providers.Add<GzipCompressionProvider>();
        });
        builder.Services.Configure<GzipCompressionProviderOptions>(gzip => gzip.Level = System.IO.Compression.CompressionLevel.Fastest);
        return builder;
    }

    /// <summary>
    /// The read cache, then (inside it, so a kept list page is the compressed one) gzip for the large ride answers:
    /// the list, and the chart traces (not kept: compressed on every request). A ride or its metrics (a few hundred
    /// bytes) gain nothing from it.
    /// </summary>
    public static IApplicationBuilder UseCatalogReadCache(this IApplicationBuilder app)
    {
        app.UseOutputCache();
        return app.UseWhen(
            context => HttpMethods.IsGet(context.Request.Method)
                && (context.Request.Path.Equals("/api/rides", StringComparison.OrdinalIgnoreCase)
                    || (context.Request.Path.StartsWithSegments("/api/rides") && context.Request.Path.Value!.EndsWith("/traces", StringComparison.OrdinalIgnoreCase))),
            large => large.UseResponseCompression());
    }

    /// <summary>
    /// The answer being written is only right until <paramref name="moment"/> (a raw file's retention deadline makes
    /// "raw available" false then): it is not kept past it.
    /// </summary>
    public static void AnswerValidUntil(HttpContext? context, DateTimeOffset? moment)
    {
        if (context is null || moment is not { } until)
        {
            return;
        }

        var feature = context.Features.Get<AnswerValidity>();
        if (feature is null)
        {
            context.Features.Set(new AnswerValidity(until));
        }
        else if (until < feature.Until)
        {
            feature.Until = until;
        }
    }

    /// <summary>Same caller, same query, same catalog: same answer.</summary>
    public static TBuilder CachedWhileCatalogUnchanged<TBuilder>(this TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.CacheOutput(PolicyName);
}

internal sealed class AnswerValidity(DateTimeOffset until)
{
    public DateTimeOffset Until { get; set; } = until;
}

internal sealed class CatalogReadCachePolicy : IOutputCachePolicy
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        if (!services.GetRequiredService<IOptions<ReadCacheOptions>>().Value.Enabled
            || !HttpMethods.IsGet(http.Request.Method)
            || CallerKey(http.User) is not { } caller)
        {
            return;
        }

        long watermark;
        try
        {
            watermark = await services.GetRequiredService<CatalogWatermark>().CurrentAsync(cancellation);
        }
        catch (DbException)
        {
            // The database is away: the endpoint itself answers (503) without the cache.
            return;
        }

        context.EnableOutputCaching = true;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        // No coalescing of lookups: it would cost every hit a dispatcher round; a rare concurrent miss computes twice.
        context.AllowLocking = false;
        context.ResponseExpirationTimeSpan = Lifetime;
        var vary = context.CacheVaryByRules;
        vary.QueryKeys = "*";
        vary.HeaderNames = "Accept-Encoding";
        vary.VaryByValues["caller"] = caller;
        vary.VaryByValues["catalog"] = watermark.ToString(CultureInfo.InvariantCulture);
        // "Raw available" follows the clock: answers say until when they hold (AnswerValidUntil); the hour also
        // keeps an answer from outliving a clock that jumps (a test's fake clock).
        var hour = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds() / 3600;
        vary.VaryByValues["hour"] = hour.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Who is asking, as the answers depend on it: the user and their roles (as <see cref="CallerContext"/> reads them).</summary>
    private static string? CallerKey(ClaimsPrincipal user)
    {
        if (user.ToRideCaller() is not { } caller)
        {
            return null;
        }

        return string.Concat(caller.UserId.ToString("N"), ":", string.Join(',', caller.Roles.Order(StringComparer.Ordinal)));
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        var response = http.Response;
        if (response.StatusCode != StatusCodes.Status200OK || !StringValues.IsNullOrEmpty(response.Headers.SetCookie))
        {
            context.AllowCacheStorage = false;
        }
        else if (http.Features.Get<AnswerValidity>() is { } validity)
        {
            var left = validity.Until - http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                context.AllowCacheStorage = false;
            }
            else if (left < Lifetime)
            {
                context.ResponseExpirationTimeSpan = left;
            }
        }

        return ValueTask.CompletedTask;
    }
}
