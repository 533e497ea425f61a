using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;
using Portal.Core.Storage;

namespace Portal.Core.Rides;

/// <summary>What is known of an upload before its bytes arrive.</summary>
public sealed record RideUpload(
    Guid OwnerId,
    Guid UploaderId,
    RideSource Source,
    string? FileName,
    string? DeviceId = null,
    string? ProfileName = null);

/// <param name="Duplicate">The owner had already uploaded the same bytes: <see cref="Ride"/> is that earlier ride and nothing new was stored.</param>
public sealed record RideIntakeResult(Ride Ride, bool Duplicate);

/// <summary>
/// Turns an upload body into a ride: streams it into the raw bucket under a key built from ids,
/// hashing and counting on the way, refuses it past the size limit (keeping nothing), recognises
/// the owner's earlier upload of the same bytes, sets the raw retention deadline and queues the analysis.
/// </summary>
public sealed class RideIntake(
    CatalogDbContext db,
    IObjectStorage storage,
    IRideJobScheduler scheduler,
    IOptions<UploadOptions> uploadOptions,
    IOptions<RetentionOptions> retentionOptions,
    TimeProvider time,
    ILogger<RideIntake> logger)
{
    private const int MaxFileNameLength = 255;

    /// <summary>Device ids are generated (<c>dev-xxxxxxxx</c>); anything much longer is not one.</summary>
    public const int MaxDeviceIdLength = 64;

    public async Task<RideIntakeResult> IngestAsync(RideUpload upload, Stream body, CancellationToken cancellationToken)
    {
        // Before a byte is stored: a refused upload keeps nothing.
        upload = upload with
        {
            ProfileName = await UploadProfileCheck.EnsureKnownAsync(db, upload.ProfileName, cancellationToken),
            DeviceId = await EnsureOwnDeviceAsync(upload, cancellationToken),
        };
        var quota = uploadOptions.Value.UserQuotaBytes;
        if (quota > 0 && upload.Source != RideSource.Live && await UsedBytesAsync(db, upload.OwnerId, cancellationToken) is var used && used >= quota)
        {
            throw new UploadQuotaExceededException(quota, used);
        }

        var rideId = Guid.CreateVersion7(time.GetUtcNow());

        // The first bytes say whether it is gzip, whatever the name or content type claimed.
        var head = new byte[2];
        var headLength = await body.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        if (headLength == 0)
        {
            throw new UploadRefusedException(UploadErrorCodes.EmptyFile, "The file is empty.");
        }

        var compressed = headLength == 2 && head[0] == 0x1f && head[1] == 0x8b;
        var rawKey = PipelineKeys.RawRide(upload.OwnerId, rideId, compressed);

        using var counted = new HashingLimitedStream(new PrefixedStream(head, headLength, body, releaseHead: static _ => { }), uploadOptions.Value.MaxFileBytes);
        try
        {
            await storage.PutAsync(BucketKind.Raw, rawKey, counted, compressed ? "application/gzip" : "text/csv", cancellationToken);
        }
        catch (Exception failure)
        {
            // A refused or interrupted body must leave nothing behind, whatever the provider wrote.
            await DeleteQuietlyAsync(rawKey);
            if (failure is UploadRefusedException or OperationCanceledException)
            {
                throw;
            }

            if (failure is IOException)
            {
                throw new UploadRefusedException(UploadErrorCodes.UploadInterrupted, "The upload was interrupted before the file was complete; nothing was kept.", failure);
            }

            throw;
        }

        var sha256 = counted.GetSha256Hex();
        if (quota > 0 && upload.Source != RideSource.Live)
        {
            long usedNow;
            bool exceeds;
            try
            {
                // A duplicate of an earlier ride stores nothing new, so it never counts against the quota.
                usedNow = await UsedBytesAsync(db, upload.OwnerId, cancellationToken);
                exceeds = usedNow + counted.BytesRead > quota && await FindSameContentAsync(upload.OwnerId, sha256, cancellationToken) is null;
            }
            catch
            {
                // The database failed after the bytes were stored: the upload is not accepted, so nothing may stay.
                await DeleteQuietlyAsync(rawKey);
                throw;
            }

            if (exceeds)
            {
                await DeleteQuietlyAsync(rawKey);
                throw new UploadQuotaExceededException(quota, usedNow);
            }
        }

        return await CatalogueAsync(upload, rideId, rawKey, compressed, sha256, counted.BytesRead, cancellationToken);
    }

    /// <summary>Bytes the owner's rides take in the raw bucket, from the catalog.</summary>
    public static Task<long> UsedBytesAsync(CatalogDbContext catalog, Guid ownerId, CancellationToken cancellationToken) =>
        catalog.Rides.Where(r => r.OwnerId == ownerId).SumAsync(r => r.SizeBytes, cancellationToken);

    /// <summary>
    /// A ride may be tagged only with one of its owner's registered devices: anything else (another rider's device,
    /// an unknown or overlong id) is refused alike, so the answer reveals no other rider's devices.
    /// </summary>
    private async Task<string?> EnsureOwnDeviceAsync(RideUpload upload, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(upload.DeviceId))
        {
            return null;
        }

        var deviceId = upload.DeviceId.Trim();
        if (deviceId.Length > MaxDeviceIdLength
            || !await db.Set<Devices.Device>().AnyAsync(d => d.Id == deviceId && d.RiderId == upload.OwnerId, cancellationToken))
        {
            throw new UploadRefusedException(UploadErrorCodes.DeviceNotRegistered,
                $"The device id is not one of this rider's registered devices (ids have at most {MaxDeviceIdLength} characters); register the device first or leave the device empty.");
        }

        return deviceId;
    }

    /// <summary>
    /// The stored bytes become a ride row and an analysis job. When the database (or Hangfire's storage) fails
    /// on the way the upload is not accepted: its bytes are deleted again, so the client's retry starts afresh.
    /// </summary>
    private async Task<RideIntakeResult> CatalogueAsync(
        RideUpload upload, Guid rideId, string rawKey, bool compressed, string sha256, long sizeBytes, CancellationToken cancellationToken)
    {
        Ride ride;
        try
        {
            if (await FindSameContentAsync(upload.OwnerId, sha256, cancellationToken) is { } existing)
            {
                return await KeepEarlierAsync(upload, existing, rawKey);
            }

            var now = time.GetUtcNow();
            var category = await db.Riders.Where(p => p.UserId == upload.OwnerId).Select(p => (RiderCategory?)p.Category).FirstOrDefaultAsync(cancellationToken);
            ride = new Ride
            {
                Id = rideId,
                OwnerId = upload.OwnerId,
                UploaderId = upload.UploaderId,
                Source = upload.Source,
                DeviceId = upload.DeviceId,
                ProfileName = upload.ProfileName,
                FileName = CleanFileName(upload.FileName, compressed),
                SizeBytes = sizeBytes,
                Sha256 = sha256,
                RawKey = rawKey,
                Compressed = compressed,
                UploadedAt = now,
                StartedAt = now,
                Status = RideStatus.Queued,
                RawRetainUntil = RawDeadline(category ?? RiderCategory.Private, now, retentionOptions.Value),
            };
            db.Rides.Add(ride);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (Exception failure)
            {
                db.Entry(ride).State = EntityState.Detached;
                // A concurrent upload of the same bytes won the unique (owner, SHA-256) index: answer as a
                // sequential duplicate would. Not the request's token: the winner's ride must still be found.
                if (failure is DbUpdateException && await FindSameContentQuietlyAsync(upload.OwnerId, sha256) is { } winner)
                {
                    return await KeepEarlierAsync(upload, winner, rawKey);
                }

                throw;
            }
        }
        catch
        {
            await DeleteQuietlyAsync(rawKey);
            throw;
        }

        try
        {
            scheduler.EnqueueAnalysis(ride.Id);
        }
        catch
        {
            // A ride without its analysis job would wait for ever: take the row back, then its bytes. If even
            // that fails the row keeps its bytes, and POST /api/rides/{id}/analyze queues it.
            if (await TryForgetRideAsync(ride))
            {
                await DeleteQuietlyAsync(rawKey);
            }

            throw;
        }

        logger.LogInformation("Ride {RideId} ({FileName}, {Size} bytes) stored as {RawKey} and queued", ride.Id, ride.FileName, ride.SizeBytes, rawKey);
        return new RideIntakeResult(ride, Duplicate: false);
    }

    /// <summary>Private riders' raw files expire; professional riders' are kept (null). Crash rides are kept by the analysis.</summary>
    public static DateTimeOffset? RawDeadline(RiderCategory category, DateTimeOffset uploadedAt, RetentionOptions options) =>
        category == RiderCategory.Professional ? null : uploadedAt.AddDays(options.PrivateRawDays);

    /// <summary>The name shown to people: the last path segment only, without control characters, never empty.</summary>
    public static string CleanFileName(string? fileName, bool compressed)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        // Control and format characters (bidi overrides such as U+202E, zero-width marks) can disguise a name's extension.
        name = new string(name.Where(c => !char.IsControl(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format).ToArray()).Trim();
        if (name is "" or "." or "..")
        {
            name = compressed ? "ride.csv.gz" : "ride.csv";
        }

        return name.Length <= MaxFileNameLength ? name : name[^MaxFileNameLength..];
    }

    private Task<Ride?> FindSameContentAsync(Guid ownerId, string sha256, CancellationToken cancellationToken) =>
        db.Rides.AsNoTracking().FirstOrDefaultAsync(r => r.OwnerId == ownerId && r.Sha256 == sha256, cancellationToken);

    private async Task<Ride?> FindSameContentQuietlyAsync(Guid ownerId, string sha256)
    {
        try
        {
            return await FindSameContentAsync(ownerId, sha256, CancellationToken.None);
        }
        catch (Exception lookupFailure) when (lookupFailure is DbException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning(lookupFailure, "Could not look for the ride that won a duplicate upload of {Sha256}", sha256);
            return null;
        }
    }

    private async Task<RideIntakeResult> KeepEarlierAsync(RideUpload upload, Ride existing, string rawKey)
    {
        await DeleteQuietlyAsync(rawKey);
        logger.LogInformation("Upload {FileName} for {OwnerId} duplicates ride {RideId}; kept the earlier one", upload.FileName, upload.OwnerId, existing.Id);
        return new RideIntakeResult(existing, Duplicate: true);
    }

    /// <summary>
    /// Removes the row of a ride whose job could not be queued. The save just worked, so the database is up; a
    /// failure here is most likely a pooled connection the outage broke (each failure discards one): try a few times.
    /// </summary>
    private async Task<bool> TryForgetRideAsync(Ride ride)
    {
        const int attempts = 5;
        db.Rides.Remove(ride);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                return true;
            }
            catch (Exception cleanupFailure) when (attempt < attempts)
            {
                logger.LogWarning(cleanupFailure, "Removing ride {RideId} after its analysis could not be queued failed (attempt {Attempt})", ride.Id, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time);
            }
            catch (Exception cleanupFailure)
            {
                db.Entry(ride).State = EntityState.Detached;
                logger.LogError(cleanupFailure, "Ride {RideId} was stored but neither its analysis could be queued nor the ride removed; ask for its analysis (POST /api/rides/{RideId}/analyze)", ride.Id, ride.Id);
                return false;
            }
        }
    }

    private async Task DeleteQuietlyAsync(string rawKey)
    {
        try
        {
            // Not the request's token: a cancelled upload must still be cleaned up.
            await storage.DeleteAsync(BucketKind.Raw, rawKey, CancellationToken.None);
        }
        catch (Exception cleanupFailure)
        {
            logger.LogWarning(cleanupFailure, "Could not delete the partial raw object {RawKey}; the retention sweep will not see it", rawKey);
        }
    }
}
