using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Catalog;
using Portal.Core.Devices;

namespace Portal.Tests.Live;

/// <summary>The device registry on a SQLite catalog in a temp directory.</summary>
[Trait("Category", "Live")]
public sealed class DeviceRegistryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly string _databasePath = Path.Combine(LiveTestHost.NewDirectory(), "catalog.db");
    private CatalogDbContext _catalog = null!;
    private DeviceRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _catalog = new CatalogDbContext(new DbContextOptionsBuilder<CatalogDbContext>().UseSqlite($"Data Source={_databasePath}").Options);
        await _catalog.Database.EnsureCreatedAsync();
        _registry = new DeviceRegistry(_catalog, _time);
    }

    public async Task DisposeAsync() => await _catalog.DisposeAsync();

    [Fact]
    public async Task Register_ReturnsTheSecretOnce_AndStoresOnlyASaltedHash()
    {
        var riderId = Guid.NewGuid();

        var first = await _registry.RegisterAsync(new DeviceRegistration("Suit A", riderId, "X1", "default"), CancellationToken.None);
        var second = await _registry.RegisterAsync(new DeviceRegistration("Suit B", riderId), CancellationToken.None);

        var stored = await _catalog.Set<Device>().AsNoTracking().SingleAsync(d => d.Id == first.Device.Id);
        Assert.Matches("^dev-[a-z0-9]{8}$", first.Device.Id);
        Assert.NotEqual(first.Device.Id, second.Device.Id);
        Assert.True(first.Secret.Length >= 40);
        Assert.DoesNotContain(first.Secret, stored.SecretHash, StringComparison.Ordinal);
        Assert.StartsWith("pbkdf2-sha256$", stored.SecretHash, StringComparison.Ordinal);
        Assert.NotEqual(first.Secret, second.Secret);
        Assert.Equal(riderId, stored.RiderId);
        Assert.Equal("default", stored.ProfileName);
        Assert.Equal(_time.GetUtcNow(), stored.CreatedAt);
        Assert.True((await _registry.AuthenticateAsync(first.Device.Id, first.Secret, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public void SameSecret_HashesDifferently_EachTime_AndVerifiesAgainstBoth()
    {
        var secret = DeviceSecretHasher.NewSecret();

        var one = DeviceSecretHasher.Hash(secret);
        var two = DeviceSecretHasher.Hash(secret);

        Assert.NotEqual(one, two);
        Assert.True(DeviceSecretHasher.Verify(secret, one));
        Assert.True(DeviceSecretHasher.Verify(secret, two));
        Assert.False(DeviceSecretHasher.Verify(secret + "x", one));
        Assert.False(DeviceSecretHasher.Verify(secret, "pbkdf2-sha256$garbage"));
    }

    [Fact]
    public async Task RotateSecret_InvalidatesTheOldSecret()
    {
        var device = await _registry.RegisterAsync(new DeviceRegistration("Suit", Guid.NewGuid()), CancellationToken.None);

        var rotated = await _registry.RotateSecretAsync(device.Device.Id, CancellationToken.None);

        Assert.Equal(DeviceAuthenticationOutcome.WrongSecret, (await _registry.AuthenticateAsync(device.Device.Id, device.Secret, CancellationToken.None)).Outcome);
        Assert.Equal(DeviceAuthenticationOutcome.Accepted, (await _registry.AuthenticateAsync(device.Device.Id, rotated!.Secret, CancellationToken.None)).Outcome);
        Assert.Null(await _registry.RotateSecretAsync("dev-missing0", CancellationToken.None));
    }

    [Fact]
    public async Task DisabledDevice_IsRefused_EvenWithTheRightSecret()
    {
        var device = await _registry.RegisterAsync(new DeviceRegistration("Suit", Guid.NewGuid()), CancellationToken.None);

        Assert.True(await _registry.DisableAsync(device.Device.Id, CancellationToken.None));

        var result = await _registry.AuthenticateAsync(device.Device.Id, device.Secret, CancellationToken.None);
        Assert.Equal(DeviceAuthenticationOutcome.Disabled, result.Outcome);
        Assert.Null(result.Device);
    }

    [Fact]
    public async Task UnknownDevice_IsRefused()
    {
        var result = await _registry.AuthenticateAsync("dev-nobody00", "secret", CancellationToken.None);

        Assert.Equal(DeviceAuthenticationOutcome.UnknownDevice, result.Outcome);
    }

    [Fact]
    public async Task Activity_IsWrittenOncePerFlush_WithSummedCountersAndTheLatestTime()
    {
        var device = await _registry.RegisterAsync(new DeviceRegistration("Suit", Guid.NewGuid()), CancellationToken.None);
        var tracker = new DeviceActivityTracker();
        var start = _time.GetUtcNow();

        tracker.RecordAccepted(device.Device.Id, start.AddSeconds(1));
        tracker.RecordAccepted(device.Device.Id, start.AddSeconds(3));
        tracker.RecordRejected(device.Device.Id, start.AddSeconds(2));
        await _registry.FlushActivityAsync(tracker, CancellationToken.None);
        tracker.RecordAccepted(device.Device.Id, start.AddSeconds(5));
        await _registry.FlushActivityAsync(tracker, CancellationToken.None);

        var stored = await _catalog.Set<Device>().AsNoTracking().SingleAsync(d => d.Id == device.Device.Id);
        Assert.Equal(3, stored.MessagesAccepted);
        Assert.Equal(1, stored.MessagesRejected);
        Assert.Equal(start.AddSeconds(5), stored.LastSeenAt);
        Assert.Empty(tracker.TakePending());
    }
}
