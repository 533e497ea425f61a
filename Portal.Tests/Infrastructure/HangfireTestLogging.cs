using System.Runtime.CompilerServices;
using Hangfire.Logging;
using Hangfire.PostgreSql;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// Hangfire.PostgreSql's distributed lock keeps a static logger from whichever log provider is current
/// when it is first used. In a test process many hosts come and go, and a logger taken from a disposed
/// host's LoggerFactory breaks every later lock. Taking it once, at load, from a silent provider keeps
/// the lock working for the whole run; each host still installs its own provider afterwards.
/// </summary>
internal static class HangfireTestLogging
{
#pragma warning disable CA2255 // A test assembly: the initializer must run before any test builds a host.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PinPostgreSqlLockLogger()
    {
        LogProvider.SetCurrentLogProvider(new SilentLogProvider());
        var lockType = typeof(PostgreSqlStorage).Assembly.GetType("Hangfire.PostgreSql.PostgreSqlDistributedLock", throwOnError: true)!;
        RuntimeHelpers.RunClassConstructor(lockType.TypeHandle);
        LogProvider.SetCurrentLogProvider(null);
    }

    private sealed class SilentLogProvider : ILogProvider
    {
        public ILog GetLogger(string name) => new SilentLog();
    }

    private sealed class SilentLog : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
