using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Jobs.CommandLine;

namespace Portal.Tests.Pipeline;

/// <summary>The on-premise archive upload (`upload DIR --server --token`) against the pipeline API on a test server.</summary>
[Trait("Category", "Pipeline")]
public sealed class UploadCommandTests(SqliteCatalogDatabase database) : IClassFixture<SqliteCatalogDatabase>, IAsyncLifetime
{
    private const int MiB = 1 << 20;
    private PipelineApiHost host = null!;
    private readonly Guid technician = Guid.NewGuid();
    private readonly Guid proRider = Guid.NewGuid();
    private readonly string folder = Directory.CreateTempSubdirectory("ride-archive-").FullName;

    public async Task InitializeAsync()
    {
        host = await PipelineApiHost.StartAsync(database, o =>
        {
            o.MaxFileBytes = 64 * MiB;
            o.MaxPartBytes = MiB;
        });
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
        db.Riders.Add(new RiderProfile { UserId = proRider, Category = RiderCategory.Professional, TechnicianId = technician, TeamMembershipApproved = true });
        await db.SaveChangesAsync();
        UploadCommand.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private async Task<(int ExitCode, string Output, string Errors)> RunAsync(HttpMessageHandler handler, params string[] extra)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["upload", folder, "--server", "http://portal.test", "--token", PipelineApiHost.Token(technician, PortalRoleNames.Technician), "--rider", proRider.ToString(), "--part-size", "1", .. extra];
        var exit = await UploadCommand.RunAsync(args.AsMemory(1), stdout, stderr, CancellationToken.None, handler);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private Task<List<Ride>> RidesAsync() => Task.Run(async () =>
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CatalogDbContext>().Rides.AsNoTracking().Where(r => r.OwnerId == proRider).ToListAsync();
    });

    [Fact]
    public async Task Folder_IsUploadedForTheRider_AndASecondRunSkipsEveryFile()
    {
        var small = PipelineHarness.SampleCsv(rows: 100, seed: 41);
        var large = PipelineHarness.SampleCsv(rows: 70_000, seed: 42);
        await File.WriteAllBytesAsync(Path.Combine(folder, "session-1.csv"), small);
        Directory.CreateDirectory(Path.Combine(folder, "2026-05"));
        await File.WriteAllBytesAsync(Path.Combine(folder, "2026-05", "session-2.csv"), large);
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not a ride");

        var first = await RunAsync(host.CreateHandler());
        var second = await RunAsync(host.CreateHandler());

        Assert.True(large.Length > 2 * MiB);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("2 uploaded, 0 already uploaded, 0 failed", first.Output, StringComparison.Ordinal);
        Assert.Contains("100.0%", first.Output, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("0 uploaded, 2 already uploaded, 0 failed", second.Output, StringComparison.Ordinal);
        var rides = await RidesAsync();
        Assert.Equal(2, rides.Count);
        Assert.All(rides, r => Assert.Equal(technician, r.UploaderId));
        var largeRide = rides.Single(r => r.FileName == "session-2.csv");
        Assert.Equal(large, host.Storage.Read(BucketKind.Raw, largeRide.RawKey));
    }

    [Fact]
    public async Task InterruptedFile_ResumesAtItsFirstMissingPart_OnTheNextRun_AndEndsByteIdentical()
    {
        var large = PipelineHarness.SampleCsv(rows: 80_000, seed: 43);
        await File.WriteAllBytesAsync(Path.Combine(folder, "long-session.csv"), large);
        using var flaky = new DropPartsHandler(host.CreateHandler(), dropFromPart: 2);

        var cut = await RunAsync(flaky);
        var ridesAfterCut = await RidesAsync();
        var resumed = await RunAsync(host.CreateHandler());

        Assert.Equal(1, cut.ExitCode);
        Assert.Contains("long-session.csv: The connection was lost", cut.Errors, StringComparison.Ordinal);
        Assert.Empty(ridesAfterCut);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"resumed at {2 * MiB} bytes", resumed.Output, StringComparison.Ordinal);
        var ride = Assert.Single(await RidesAsync());
        Assert.Equal(large, host.Storage.Read(BucketKind.Raw, ride.RawKey));
    }

    [Fact]
    public async Task MissingArguments_AreExplained()
    {
        var stderr = new StringWriter();

        var exit = await UploadCommand.RunAsync(new[] { folder }, new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("--server", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Loses the connection for every part from <paramref name="dropFromPart"/> on, as a suit unplugged from its charger.</summary>
    private sealed class DropPartsHandler(HttpMessageHandler inner, int dropFromPart) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var marker = path.LastIndexOf("/parts/", StringComparison.Ordinal);
            if (request.Method == HttpMethod.Put && marker >= 0 && int.Parse(path[(marker + 7)..], System.Globalization.CultureInfo.InvariantCulture) >= dropFromPart)
            {
                throw new HttpRequestException("The connection was lost.");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
