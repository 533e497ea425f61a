using System.Collections.Concurrent;

namespace Portal.Core.Devices;

/// <summary>
/// Collects per-device message counts and last-seen times in memory so that the catalog is written at
/// most once per flush interval per device, not once per message.
/// </summary>
public sealed class DeviceActivityTracker
{
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public void RecordAccepted(string deviceId, DateTimeOffset at) => Record(deviceId, at, accepted: 1, rejected: 0);

    public void RecordRejected(string deviceId, DateTimeOffset at) => Record(deviceId, at, accepted: 0, rejected: 1);

    /// <summary>Removes and returns everything recorded since the last call.</summary>
    public IReadOnlyList<DeviceActivity> TakePending()
    {
        var taken = new List<DeviceActivity>();
        foreach (var deviceId in _pending.Keys)
        {
            if (_pending.TryRemove(deviceId, out var pending))
            {
                lock (pending)
                {
                    taken.Add(new DeviceActivity(deviceId, pending.LastSeenAt, pending.Accepted, pending.Rejected));
                }
            }
        }

        return taken;
    }

    private void Record(string deviceId, DateTimeOffset at, long accepted, long rejected)
    {
        var pending = _pending.GetOrAdd(deviceId, static _ => new Pending());
        lock (pending)
        {
            pending.Accepted += accepted;
            pending.Rejected += rejected;
            if (at > pending.LastSeenAt)
            {
                pending.LastSeenAt = at;
            }
        }
    }

    private sealed class Pending
    {
        public long Accepted;
        public long Rejected;
        public DateTimeOffset LastSeenAt;
    }
}

public sealed record DeviceActivity(string DeviceId, DateTimeOffset LastSeenAt, long Accepted, long Rejected);
