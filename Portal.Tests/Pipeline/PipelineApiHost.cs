using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Api;
using Portal.Core.Analytics;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;

namespace Portal.Tests.Pipeline;

/// <summary>
/// The pipeline's HTTP API alone on a test server, with a header-token authentication standing in for
/// Identity until the foundation lands: the bearer token is "{userId}:{Role,Role}".
/// </summary>
public sealed class PipelineApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private PipelineApiHost(WebApplication app, InMemoryObjectStorage storage, RecordingJobScheduler scheduler, FakeTimeProvider time)
    {
        this.app = app;
        Storage = storage;
        Scheduler = scheduler;
        Time = time;
    }

    public InMemoryObjectStorage Storage { get; }
    public RecordingJobScheduler Scheduler { get; }
    public FakeTimeProvider Time { get; }
    public IServiceProvider Services => app.Services;

    public static async Task<PipelineApiHost> StartAsync(CatalogDatabase database, Action<UploadOptions> uploads)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var time = new FakeTimeProvider(PipelineHarness.Start);
        var storage = new InMemoryObjectStorage(time);
        var scheduler = new RecordingJobScheduler();
        builder.Services.AddDbContext<CatalogDbContext>(database.Configure);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IObjectStorage>(storage);
        builder.Services.AddSingleton<IRideJobScheduler>(scheduler);
        builder.Services.AddSingleton<IRideAnalyzer, StubRideAnalyzer>();
        builder.Services.AddRideIntake();
        builder.Services.Configure(uploads);
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(TokenAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRidePipelineApi();
        await app.StartAsync();
        return new PipelineApiHost(app, storage, scheduler, time);
    }

    public HttpMessageHandler CreateHandler() => app.GetTestServer().CreateHandler();

    public HttpClient ClientFor(Guid userId, params string[] roles)
    {
        var client = new HttpClient(CreateHandler()) { BaseAddress = new Uri("http://portal.test/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId, roles));
        return client;
    }

    public static string Token(Guid userId, params string[] roles) => $"{userId}:{string.Join(',', roles)}";

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private sealed class TokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestToken";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var parts = header["Bearer ".Length..].Split(':');
            var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, parts[0]) };
            claims.AddRange(parts.ElementAtOrDefault(1)?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)) ?? []);
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
