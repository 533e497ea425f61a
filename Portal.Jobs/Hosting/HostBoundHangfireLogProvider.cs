using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using HangfireLogLevel = Hangfire.Logging.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Portal.Jobs.Hosting;

/// <summary>
/// Hangfire's log provider is process-wide, and every host that adds Hangfire installs one bound to its own
/// <see cref="ILoggerFactory"/>. When several hosts share a process (the tests, the load command) and the host that
/// installed the current provider stops, its factory is disposed while Hangfire objects of the other hosts still ask
/// for loggers. This provider answers them with a silent logger instead of an <see cref="ObjectDisposedException"/>
/// that would fail an upload or a job.
/// </summary>
public sealed class HostBoundHangfireLogProvider(ILoggerFactory loggerFactory) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new HostLog(loggerFactory.CreateLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return SilentLog.Instance;
        }
    }

    private sealed class HostLog(ILogger logger) : ILog
    {
        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var level = ToLogLevel(logLevel);
            try
            {
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }

                if (!logger.IsEnabled(level))
                {
                    return false;
                }

#pragma warning disable CA1848, CA2254 // Hangfire hands over finished messages; there is no template to cache.
                logger.Log(level, 0, exception, messageFunc());
#pragma warning restore CA1848, CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }

        private static LogLevel ToLogLevel(HangfireLogLevel level) => level switch
        {
            HangfireLogLevel.Trace => LogLevel.Trace,
            HangfireLogLevel.Debug => LogLevel.Debug,
            HangfireLogLevel.Info => LogLevel.Information,
            HangfireLogLevel.Warn => LogLevel.Warning,
            HangfireLogLevel.Error => LogLevel.Error,
            HangfireLogLevel.Fatal => LogLevel.Critical,
            _ => LogLevel.None,
        };
    }

    private sealed class SilentLog : ILog
    {
        public static readonly SilentLog Instance = new();

        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
