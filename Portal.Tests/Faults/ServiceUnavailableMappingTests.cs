using System.Net.Sockets;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Api;
using Portal.Core.Storage;

namespace Portal.Tests.Faults;

/// <summary>Which failures the API turns into 503 + Retry-After, and with which code; everything else stays a 500.</summary>
[Trait("Category", "Faults")]
public sealed class ServiceUnavailableMappingTests
{
    [Fact]
    public void StorageUnavailable_IsStorageUnavailable_AlsoWhenWrapped()
    {
        var down = new StorageUnavailableException("S3 is down", new HttpRequestException("refused"));

        Assert.Equal(ServiceUnavailableExceptionHandler.StorageUnavailable, ServiceUnavailableExceptionHandler.CodeFor(down));
        Assert.Equal(ServiceUnavailableExceptionHandler.StorageUnavailable, ServiceUnavailableExceptionHandler.CodeFor(new InvalidOperationException("outer", down)));
    }

    [Fact]
    public void DatabaseConnectionFailures_AreDatabaseUnavailable_ThroughHangfireAndEfCoreWrappers()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));
        var restarting = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown);

        Assert.Equal(ServiceUnavailableExceptionHandler.DatabaseUnavailable, ServiceUnavailableExceptionHandler.CodeFor(refused));
        Assert.Equal(ServiceUnavailableExceptionHandler.DatabaseUnavailable,
            ServiceUnavailableExceptionHandler.CodeFor(new BackgroundJobClientException("Background job creation failed.", refused)));
        Assert.Equal(ServiceUnavailableExceptionHandler.DatabaseUnavailable,
            ServiceUnavailableExceptionHandler.CodeFor(new DbUpdateException("An error occurred while saving the entity changes.", restarting)));
        Assert.Equal(ServiceUnavailableExceptionHandler.DatabaseUnavailable,
            ServiceUnavailableExceptionHandler.CodeFor(new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", restarting)));
    }

    [Fact]
    public void OtherFailures_AreNotOutages()
    {
        var uniqueViolation = new PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation);

        Assert.Null(ServiceUnavailableExceptionHandler.CodeFor(new DbUpdateException("save failed", uniqueViolation)));
        Assert.Null(ServiceUnavailableExceptionHandler.CodeFor(new InvalidOperationException("a bug")));
        Assert.Null(ServiceUnavailableExceptionHandler.CodeFor(new ObjectNotFoundException(BucketKind.Raw, "a.csv")));
    }
}
