using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalog;
using Portal.Core.Rides;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Storage;

namespace Portal.Tests.Pipeline;

[Trait("Category", "Pipeline")]
public abstract class IntakeTests<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : CatalogDatabase
{
    private PipelineHarness harness = null!;
    private readonly Guid rider = Guid.NewGuid();

    public Task InitializeAsync()
    {
        harness = new PipelineHarness(database, uploads: o =>
        {
            o.MaxFileBytes = 64 * 1024;
            o.MaxPartBytes = 16 * 1024;
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    [Fact]
    public async Task Upload_IsStoredUnderAKeyOfIds_WithItsHashAndSize_AndQueued()
    {
        var content = PipelineHarness.SampleCsv();

        var result = await harness.UploadAsync(rider, content, "Monday ride.csv");

        var ride = await harness.RideAsync(result.Ride.Id);
        Assert.False(result.Duplicate);
        Assert.Equal($"{rider:D}/{ride.Id:D}.csv", ride.RawKey);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), ride.Sha256);
        Assert.Equal(content.Length, ride.SizeBytes);
        Assert.Equal("Monday ride.csv", ride.FileName);
        Assert.Equal(RideStatus.Queued, ride.Status);
        Assert.Equal(content, harness.Storage.Read(BucketKind.Raw, ride.RawKey));
        Assert.Equal([ride.Id], harness.Scheduler.Analyses);
    }

    [Fact]
    public async Task Upload_FileNameWithAPath_NeverBecomesPartOfTheKey()
    {
        var result = await harness.UploadAsync(rider, PipelineHarness.SampleCsv(), "../../etc\\secrets/../passwd.csv");

        Assert.Equal("passwd.csv", result.Ride.FileName);
        Assert.Equal($"{rider:D}/{result.Ride.Id:D}.csv", result.Ride.RawKey);
        Assert.DoesNotContain("..", string.Concat(harness.Storage.Keys(BucketKind.Raw)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GzipUpload_IsRecognisedFromItsBytes_WhateverItsName()
    {
        using var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(PipelineHarness.SampleCsv());
        }

        var result = await harness.UploadAsync(rider, gzipped.ToArray(), "ride.csv");

        Assert.True(result.Ride.Compressed);
        Assert.EndsWith(".csv.gz", result.Ride.RawKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameFileUploadedTwice_ReturnsTheFirstRide_KeepsOneObject_AndIsAnalysedOnce()
    {
        var content = PipelineHarness.SampleCsv(seed: 7);
        var first = await harness.UploadAsync(rider, content, "a.csv");

        var second = await harness.UploadAsync(rider, content, "a copy.csv");

        Assert.True(second.Duplicate);
        Assert.Equal(first.Ride.Id, second.Ride.Id);
        Assert.Equal([first.Ride.RawKey], harness.Storage.Keys(BucketKind.Raw));
        Assert.Equal([first.Ride.Id], harness.Scheduler.Analyses);
        Assert.Equal(1, await harness.WithDbAsync(db => db.Rides.CountAsync(r => r.OwnerId == rider)));
    }

    [Fact]
    public async Task SameFileFromAnotherRider_IsTheirOwnRide()
    {
        var content = PipelineHarness.SampleCsv(seed: 8);
        var mine = await harness.UploadAsync(rider, content);

        var theirs = await harness.UploadAsync(Guid.NewGuid(), content);

        Assert.False(theirs.Duplicate);
        Assert.NotEqual(mine.Ride.Id, theirs.Ride.Id);
    }

    [Fact]
    public async Task Upload_OverTheSizeLimit_IsRefusedWhileStreaming_AndKeepsNothing()
    {
        var tooLarge = new byte[64 * 1024 + 1];
        tooLarge.AsSpan().Fill((byte)'1');

        var refused = await Assert.ThrowsAsync<UploadTooLargeException>(() => harness.UploadAsync(rider, tooLarge));

        Assert.Equal(UploadErrorCodes.FileTooLarge, refused.Code);
        Assert.Equal(64 * 1024, refused.LimitBytes);
        Assert.Empty(harness.Storage.Keys(BucketKind.Raw));
        Assert.Empty(harness.Scheduler.Analyses);
        Assert.Equal(0, await harness.WithDbAsync(db => db.Rides.CountAsync(r => r.OwnerId == rider)));
    }

    [Fact]
    public async Task Upload_ExactlyAtTheSizeLimit_IsAccepted()
    {
        var content = new byte[64 * 1024];
        content.AsSpan().Fill((byte)'2');

        var result = await harness.UploadAsync(rider, content);

        Assert.Equal(64 * 1024, result.Ride.SizeBytes);
    }

    [Fact]
    public async Task InterruptedUpload_IsRefusedAsInterrupted_AndKeepsNothing()
    {
        var content = PipelineHarness.SampleCsv();

        var refused = await Assert.ThrowsAsync<UploadRefusedException>(() => harness.InScopeAsync(s =>
            s.GetRequiredService<RideIntake>().IngestAsync(new RideUpload(rider, rider, RideSource.Web, "cut.csv"), new CutConnectionStream(content, 1000), CancellationToken.None)));

        Assert.Equal(UploadErrorCodes.UploadInterrupted, refused.Code);
        Assert.Empty(harness.Storage.Keys(BucketKind.Raw));
        Assert.Equal(0, await harness.WithDbAsync(db => db.Rides.CountAsync(r => r.OwnerId == rider)));
    }

    [Fact]
    public async Task EmptyUpload_IsRefused()
    {
        var refused = await Assert.ThrowsAsync<UploadRefusedException>(() => harness.UploadAsync(rider, []));

        Assert.Equal(UploadErrorCodes.EmptyFile, refused.Code);
        Assert.Empty(harness.Storage.Keys(BucketKind.Raw));
    }

    [Fact]
    public async Task PrivateRidersRawFile_IsKeptForTheConfiguredDays()
    {
        await harness.AddRiderAsync(rider, RiderCategory.Private);

        var result = await harness.UploadAsync(rider, PipelineHarness.SampleCsv());

        Assert.Equal(PipelineHarness.Start.AddDays(14), result.Ride.RawRetainUntil);
    }

    [Fact]
    public async Task ProfessionalRidersRawFile_IsKeptForGood()
    {
        await harness.AddRiderAsync(rider, RiderCategory.Professional);

        var result = await harness.UploadAsync(rider, PipelineHarness.SampleCsv());

        Assert.Null(result.Ride.RawRetainUntil);
    }
}

public sealed class IntakeTestsOnSqlite(SqliteCatalogDatabase database) : IntakeTests<SqliteCatalogDatabase>(database), IClassFixture<SqliteCatalogDatabase>;

public sealed class IntakeTestsOnPostgres(PostgresCatalogDatabase database) : IntakeTests<PostgresCatalogDatabase>(database), IClassFixture<PostgresCatalogDatabase>;

[Trait("Category", "Pipeline")]
public sealed class PipelineOptionsTests
{
    [Theory]
    [InlineData(13)]
    [InlineData(29)]
    public void RetentionDays_OutsideFourteenToTwentyEight_AreRefused_NamingTheKey(int days)
    {
        var result = new RetentionOptionsValidator().Validate(null, new RetentionOptions { PrivateRawDays = days });

        Assert.True(result.Failed);
        Assert.Contains("Retention:PrivateRawDays", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(28)]
    public void RetentionDays_FromFourteenToTwentyEight_AreAccepted(int days) =>
        Assert.True(new RetentionOptionsValidator().Validate(null, new RetentionOptions { PrivateRawDays = days }).Succeeded);

    [Fact]
    public void UploadLimits_ThatCannotWork_AreRefused_NamingTheKeys()
    {
        var result = new UploadOptionsValidator().Validate(null, new UploadOptions { MaxFileBytes = 0, AbandonAfterHours = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Uploads:MaxFileBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Uploads:AbandonAfterHours", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void UploadDefaults_AcceptOneGigabyteFiles_AndAbandonAfterADay()
    {
        var defaults = new UploadOptions();

        Assert.True(new UploadOptionsValidator().Validate(null, defaults).Succeeded);
        Assert.Equal(1L << 30, defaults.MaxFileBytes);
        Assert.Equal(24, defaults.AbandonAfterHours);
    }
}
