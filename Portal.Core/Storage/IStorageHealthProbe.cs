namespace Portal.Core.Storage;

/// <summary>
/// A cheap reachability check of the provider and its three buckets, used by the "storage" health check.
/// Throws <see cref="StorageUnavailableException"/> describing what is wrong.
/// </summary>
public interface IStorageHealthProbe
{
    Task ProbeAsync(CancellationToken cancellationToken);
}
