using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Api;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Portal.Core.Storage;
using Portal.Tests.Infrastructure;
using Portal.Tests.Scale;

namespace Portal.Tests.Faults;

/// <summary>
/// Local-disk storage on a tiny tmpfs that fills up: every kind of upload answers 507 storage_full (never 400
/// upload_interrupted), nothing partial stays on the volume, /health/ready reports it, the admins get one
/// notification, and uploads succeed again once there is room.
/// </summary>
[Trait("Category", "Faults")]
public sealed class StorageFullTests : IAsyncLifetime
{
    private readonly string _volume = Path.Combine(Path.GetTempPath(), "portal-tests", $"full-volume-{Guid.NewGuid():N}");
    private PortalFactory _portal = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_volume);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", _volume);
        _portal = new PortalFactory()
            .WithSetting("Storage:Provider", "FileSystem")
            .WithSetting("Storage:FileSystem:Root", _volume);
        await _portal.InitializeDatabasesAsync();
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await RunAsync("umount", _volume);
        Directory.Delete(_volume, recursive: true);
    }

    [Fact]
    public async Task FullVolume_RawMultipartAndResumableUploads_Answer507StorageFull_LeaveNothing_AndTheAdminsAreTold()
    {
        using var client = await _portal.CreateBearerClientAsync("rider@demo.local");
        var ride = await ScaleCluster.SimulatedRideAsync(seed: 31, durationSeconds: 60);
        Assert.True(ride.Length > 256 * 1024, $"the test ride is only {ride.Length} bytes");
        var session = await FaultClient.CreateSessionAsync(client, "resumable.csv", ride.Length);
        var filler = Path.Combine(_volume, "filler.bin");
        await FillAsync(filler, leaveFree: 64 * 1024);
        var filesBefore = FilesOnVolume();

        var raw = await FaultClient.PostRawAsync(client, ride, "raw.csv");
        var form = await FaultClient.PostMultipartAsync(client, ride, "form.csv");
        var part = await FaultClient.PutPartAsync(client, session, 0, ride);
        using var ready = await _portal.CreateClient().GetAsync("/health/ready");
        var health = await _portal.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == StorageHostingExtensions.HealthCheckName);

        foreach (var outcome in new[] { raw, form, part })
        {
            Assert.True(outcome.Status == HttpStatusCode.InsufficientStorage, $"Expected 507 storage_full, got {outcome}");
            Assert.Equal(ServiceUnavailableExceptionHandler.StorageFull, outcome.Code);
            Assert.Contains("storage", outcome.Body, StringComparison.OrdinalIgnoreCase);
            Assert.True(int.TryParse(outcome.RetryAfter, out var seconds) && seconds > 0, $"Retry-After was '{outcome.RetryAfter}'.");
        }

        Assert.Equal(filesBefore, FilesOnVolume());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HealthStatus.Unhealthy, health.Entries[StorageHostingExtensions.HealthCheckName].Status);
        Assert.Contains("full", health.Entries[StorageHostingExtensions.HealthCheckName].Description, StringComparison.OrdinalIgnoreCase);
        await using (var scope = _portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CatalogDbContext>();
            Assert.Equal(0, await db.Rides.CountAsync());
            Assert.Equal(1, await db.Set<Notification>().CountAsync(n => n.Role == PortalRoleNames.Admin && n.Kind == NotificationKind.StorageFull));
        }

        File.Delete(filler);
        var afterRoom = await FaultClient.PostRawAsync(client, ride, "raw.csv");
        Assert.True(afterRoom.Accepted, afterRoom.ToString());
    }

    [Fact]
    public void DiskFullErrors_AreRecognised_AndOtherIoErrorsAreNot()
    {
        Assert.True(StorageFailures.IsDiskFull(new IOException("No space left on device", 28)));
        Assert.True(StorageFailures.IsDiskFull(new IOException("Disk quota exceeded", 122)));
        Assert.True(StorageFailures.IsDiskFull(new IOException("There is not enough space on the disk.", unchecked((int)0x80070070))));
        Assert.False(StorageFailures.IsDiskFull(new IOException("Connection reset by peer", 104)));
        Assert.False(StorageFailures.IsDiskFull(new InvalidOperationException("No space left on device")));
        Assert.NotNull(ServiceUnavailableExceptionHandler.FindStorageFull(new InvalidOperationException("outer", new StorageFullException("full"))));
    }

    private string[] FilesOnVolume() =>
        [.. Directory.EnumerateFiles(_volume, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_volume, f)).Order(StringComparer.Ordinal)];

    /// <summary>Fills the volume up to <paramref name="leaveFree"/> bytes.</summary>
    private async Task FillAsync(string path, long leaveFree)
    {
        var free = new DriveInfo(_volume).AvailableFreeSpace;
        await using var file = File.Create(path);
        var chunk = new byte[64 * 1024];
        for (var written = 0L; written < free - leaveFree - chunk.Length; written += chunk.Length)
        {
            await file.WriteAsync(chunk);
        }
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed (this test needs root to mount a tmpfs): {error}");
    }
}
