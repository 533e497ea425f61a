using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Catalog;
using Portal.Core.Storage;

namespace Portal.Core.Rides;

/// <summary>Where a client stands in a session: <see cref="Offset"/> bytes arrived without a gap, resume at <see cref="NextPart"/>.</summary>
public sealed record UploadSessionState(
    Guid Id,
    string FileName,
    UploadSessionStatus Status,
    long? DeclaredSize,
    long ReceivedBytes,
    long Offset,
    int NextPart,
    IReadOnlyList<int> Parts,
    long MaxPartBytes,
    Guid? RideId,
    DateTimeOffset LastActivityAt);

/// <summary>
/// Resumable uploads: numbered parts are stored as objects <c>uploads/{session}/{n:D6}</c> in the raw
/// bucket; a part may arrive out of order or again (it replaces the earlier one); completing streams
/// the parts, in order, through <see cref="RideIntake"/> and deletes them.
/// </summary>
public sealed class UploadSessions(
    CatalogDbContext db,
    IObjectStorage storage,
    RideIntake intake,
    IOptions<UploadOptions> options,
    TimeProvider time,
    ILogger<UploadSessions> logger)
{
    public const int MaxPartNumber = 999_999;

    public async Task<UploadSessionState> CreateAsync(RideUpload upload, long? declaredSize, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxFileBytes;
        if (declaredSize > limit)
        {
            throw new UploadTooLargeException(limit);
        }

        if (declaredSize is 0)
        {
            throw new UploadRefusedException(UploadErrorCodes.EmptyFile, "The file is empty.");
        }

        var quota = options.Value.UserQuotaBytes;
        if (quota > 0 && declaredSize is { } declared && await RideIntake.UsedBytesAsync(db, upload.OwnerId, cancellationToken) is var used && declared > quota - used)
        {
            throw new UploadQuotaExceededException(quota, used);
        }

        upload = upload with { ProfileName = await UploadProfileCheck.EnsureKnownAsync(db, upload.ProfileName, cancellationToken) };
        var now = time.GetUtcNow();
        var session = new UploadSession
        {
            Id = Guid.CreateVersion7(now),
            OwnerId = upload.OwnerId,
            UploaderId = upload.UploaderId,
            Source = upload.Source,
            FileName = RideIntake.CleanFileName(upload.FileName, compressed: false),
            DeviceId = upload.DeviceId,
            ProfileName = upload.ProfileName,
            DeclaredSize = declaredSize,
            CreatedAt = now,
            LastActivityAt = now,
            Status = UploadSessionStatus.Open,
        };
        db.Set<UploadSession>().Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return ToState(session);
    }

    /// <summary>The session as its uploader sees it; null when it does not exist or belongs to another uploader.</summary>
    public async Task<UploadSessionState?> GetAsync(Guid sessionId, Guid uploaderId, CancellationToken cancellationToken)
    {
        var session = await FindAsync(sessionId, uploaderId, cancellationToken);
        return session is null ? null : ToState(session);
    }

    /// <summary>Stores part <paramref name="number"/>, replacing an earlier copy; null when the session is not the caller's.</summary>
    public async Task<UploadSessionState?> PutPartAsync(Guid sessionId, Guid uploaderId, int number, Stream body, CancellationToken cancellationToken)
    {
        if (number is < 0 or > MaxPartNumber)
        {
            throw new UploadRefusedException(UploadErrorCodes.InvalidPartNumber, $"Part numbers run from 0 to {MaxPartNumber} (was {number}).");
        }

        var session = await FindAsync(sessionId, uploaderId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        EnsureOpen(session);
        var key = PipelineKeys.UploadPart(sessionId, number);
        using var counted = new HashingLimitedStream(body, options.Value.MaxPartBytes, UploadErrorCodes.PartTooLarge);
        try
        {
            await storage.PutAsync(BucketKind.Raw, key, counted, "application/octet-stream", cancellationToken);
        }
        catch (Exception failure)
        {
            // The earlier copy of this part (if any) was replaced by a partial one: forget both.
            await ForgetPartAsync(session, number, key);
            if (failure is IOException)
            {
                throw new UploadRefusedException(UploadErrorCodes.UploadInterrupted, $"Part {number} was interrupted; send it again.", failure);
            }

            throw;
        }

        if (counted.BytesRead == 0)
        {
            await ForgetPartAsync(session, number, key);
            throw new UploadRefusedException(UploadErrorCodes.EmptyFile, $"Part {number} is empty.");
        }

        var others = session.Parts.Where(p => p.Number != number).Sum(p => p.SizeBytes);
        if (others + counted.BytesRead > options.Value.MaxFileBytes)
        {
            await ForgetPartAsync(session, number, key);
            throw new UploadTooLargeException(options.Value.MaxFileBytes);
        }

        var now = time.GetUtcNow();
        var part = session.Parts.FirstOrDefault(p => p.Number == number);
        if (part is null)
        {
            part = new UploadPart { SessionId = sessionId, Number = number };
            session.Parts.Add(part);
        }

        part.SizeBytes = counted.BytesRead;
        part.Sha256 = counted.GetSha256Hex();
        part.ReceivedAt = now;
        Recount(session, now);
        await db.SaveChangesAsync(cancellationToken);
        return ToState(session);
    }

    /// <summary>
    /// tus-style append: the client says at which byte offset its chunk starts; it must be where the
    /// gap-free data ends, and the chunk becomes the next part.
    /// </summary>
    public async Task<UploadSessionState?> AppendAsync(Guid sessionId, Guid uploaderId, long offset, Stream body, CancellationToken cancellationToken)
    {
        var state = await GetAsync(sessionId, uploaderId, cancellationToken);
        if (state is null)
        {
            return null;
        }

        if (offset != state.Offset)
        {
            throw new UploadRefusedException(UploadErrorCodes.OffsetMismatch, $"The upload continues at byte {state.Offset}, not {offset}.");
        }

        return await PutPartAsync(sessionId, uploaderId, state.NextPart, body, cancellationToken);
    }

    /// <summary>
    /// Streams parts 0…n−1 through the intake as one file and deletes them. Completing again returns
    /// the same ride. Null when the session is not the caller's.
    /// </summary>
    public async Task<RideIntakeResult?> CompleteAsync(Guid sessionId, Guid uploaderId, CancellationToken cancellationToken)
    {
        var session = await FindAsync(sessionId, uploaderId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        if (session.Status == UploadSessionStatus.Completed && session.RideId is { } doneRideId
            && await db.Rides.AsNoTracking().FirstOrDefaultAsync(r => r.Id == doneRideId, cancellationToken) is { } done)
        {
            return new RideIntakeResult(done, Duplicate: false);
        }

        EnsureOpen(session);
        var numbers = session.Parts.Select(p => p.Number).Order().ToArray();
        if (numbers.Length == 0 || numbers[^1] != numbers.Length - 1)
        {
            var missing = MissingParts(numbers);
            throw new UploadRefusedException(UploadErrorCodes.PartsMissing,
                numbers.Length == 0 ? "No part was uploaded." : $"Parts {string.Join(", ", missing)} are missing.");
        }

        if (session.DeclaredSize is { } declared && declared != session.ReceivedBytes)
        {
            throw new UploadRefusedException(UploadErrorCodes.SizeMismatch,
                $"The session announced {declared} bytes but {session.ReceivedBytes} arrived.");
        }

        var upload = new RideUpload(session.OwnerId, session.UploaderId, session.Source, session.FileName, session.DeviceId, session.ProfileName);
        RideIntakeResult result;
        await using (var joined = new UploadPartsStream(storage, sessionId, numbers))
        {
            result = await intake.IngestAsync(upload, joined, cancellationToken);
        }

        session.Status = UploadSessionStatus.Completed;
        session.RideId = result.Ride.Id;
        session.LastActivityAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await DeletePartsAsync(session, CancellationToken.None);
        return result;
    }

    /// <summary>The client gives up: parts are deleted and the session cannot be resumed. False when not the caller's.</summary>
    public async Task<bool> AbortAsync(Guid sessionId, Guid uploaderId, CancellationToken cancellationToken)
    {
        var session = await FindAsync(sessionId, uploaderId, cancellationToken);
        if (session is null)
        {
            return false;
        }

        if (session.Status == UploadSessionStatus.Open)
        {
            session.Status = UploadSessionStatus.Abandoned;
            session.LastActivityAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            await DeletePartsAsync(session, cancellationToken);
        }

        return true;
    }

    /// <summary>Marks open sessions idle past <see cref="UploadOptions.AbandonAfterHours"/> abandoned and deletes their parts.</summary>
    public async Task<int> CleanUpAbandonedAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddHours(-options.Value.AbandonAfterHours);
        var count = 0;
        var idle = await db.Set<UploadSession>().Include(s => s.Parts)
            .Where(s => s.Status == UploadSessionStatus.Open && s.LastActivityAt < cutoff)
            .ToListAsync(cancellationToken);
        foreach (var session in idle)
        {
            session.Status = UploadSessionStatus.Abandoned;
            await db.SaveChangesAsync(cancellationToken);
            await DeletePartsAsync(session, cancellationToken);
            logger.LogInformation("Upload session {SessionId} ({FileName}) abandoned after {Hours} h idle; parts deleted", session.Id, session.FileName, options.Value.AbandonAfterHours);
            count++;
        }

        return count;
    }

    private async Task<UploadSession?> FindAsync(Guid sessionId, Guid uploaderId, CancellationToken cancellationToken) =>
        await db.Set<UploadSession>().Include(s => s.Parts)
            .FirstOrDefaultAsync(s => s.Id == sessionId && s.UploaderId == uploaderId, cancellationToken);

    private static void EnsureOpen(UploadSession session)
    {
        if (session.Status != UploadSessionStatus.Open)
        {
            throw new UploadRefusedException(UploadErrorCodes.SessionNotOpen,
                session.Status == UploadSessionStatus.Abandoned
                    ? "The upload session was abandoned and its parts deleted; start a new one."
                    : "The upload session is already complete.");
        }
    }

    private async Task ForgetPartAsync(UploadSession session, int number, string key)
    {
        try
        {
            await storage.DeleteAsync(BucketKind.Raw, key, CancellationToken.None);
        }
        catch (Exception cleanupFailure)
        {
            logger.LogWarning(cleanupFailure, "Could not delete part object {Key}", key);
        }

        if (session.Parts.FirstOrDefault(p => p.Number == number) is { } stale)
        {
            session.Parts.Remove(stale);
            Recount(session, time.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    /// <summary>Deletes the part objects (also ones the catalog lost track of) and their rows.</summary>
    private async Task DeletePartsAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var keys = session.Parts.Select(p => PipelineKeys.UploadPart(session.Id, p.Number)).ToHashSet(StringComparer.Ordinal);
        await foreach (var stored in storage.ListAsync(BucketKind.Raw, PipelineKeys.UploadPartsPrefix(session.Id), cancellationToken))
        {
            keys.Add(stored.Key);
        }

        foreach (var key in keys)
        {
            await storage.DeleteAsync(BucketKind.Raw, key, cancellationToken);
        }

        session.Parts.Clear();
        session.PartCount = 0;
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Recount(UploadSession session, DateTimeOffset now)
    {
        session.ReceivedBytes = session.Parts.Sum(p => p.SizeBytes);
        session.PartCount = session.Parts.Count;
        session.LastActivityAt = now;
    }

    private static IEnumerable<int> MissingParts(int[] sortedNumbers)
    {
        var present = sortedNumbers.ToHashSet();
        var upTo = sortedNumbers.Length == 0 ? 0 : sortedNumbers[^1];
        return Enumerable.Range(0, upTo).Where(n => !present.Contains(n)).Take(20);
    }

    private UploadSessionState ToState(UploadSession session)
    {
        var ordered = session.Parts.OrderBy(p => p.Number).ToList();
        long offset = 0;
        var next = 0;
        foreach (var part in ordered)
        {
            if (part.Number != next)
            {
                break;
            }

            offset += part.SizeBytes;
            next++;
        }

        return new UploadSessionState(
            session.Id,
            session.FileName,
            session.Status,
            session.DeclaredSize,
            session.ReceivedBytes,
            offset,
            next,
            ordered.Select(p => p.Number).ToArray(),
            options.Value.MaxPartBytes,
            session.RideId,
            session.LastActivityAt);
    }
}

/// <summary>The parts of a session read one after another as one stream, each opened only when reached.</summary>
internal sealed class UploadPartsStream(IObjectStorage storage, Guid sessionId, IReadOnlyList<int> numbers) : Stream
{
    private int index;
    private Stream? current;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (current is null)
            {
                if (index >= numbers.Count)
                {
                    return 0;
                }

                current = await storage.OpenReadAsync(BucketKind.Raw, PipelineKeys.UploadPart(sessionId, numbers[index]), cancellationToken);
            }

            var read = await current.ReadAsync(buffer, cancellationToken);
            if (read > 0 || buffer.IsEmpty)
            {
                return read;
            }

            await current.DisposeAsync();
            current = null;
            index++;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (current is not null)
        {
            await current.DisposeAsync();
            current = null;
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            current?.Dispose();
            current = null;
        }

        base.Dispose(disposing);
    }
}
