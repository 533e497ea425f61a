using Microsoft.Extensions.Logging;
using Portal.Jobs.Hosting;
using HangfireLogLevel = Hangfire.Logging.LogLevel;

namespace Portal.Tests.Foundation;

[Trait("Category", "Foundation")]
public sealed class HostBoundHangfireLogProviderTests
{
    [Fact]
    public void Messages_ReachTheHostsLoggers_WhileTheHostRuns()
    {
        var recorder = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(recorder).SetMinimumLevel(LogLevel.Debug));

        var log = new HostBoundHangfireLogProvider(factory).GetLogger("Hangfire.Test");

        Assert.True(log.Log(HangfireLogLevel.Warn, () => "queue is slow"));
        Assert.False(log.Log(HangfireLogLevel.Trace, () => "below the minimum level"));
        Assert.Equal([(LogLevel.Warning, "queue is slow")], recorder.Entries);
    }

    [Fact]
    public void GetLogger_AnswersSilently_InsteadOfThrowing_AfterTheHostsLoggerFactoryIsDisposed()
    {
        var recorder = new RecordingLoggerProvider();
        var factory = LoggerFactory.Create(logging => logging.AddProvider(recorder));
        var provider = new HostBoundHangfireLogProvider(factory);
        var loggerTakenBeforeDisposal = provider.GetLogger("Hangfire.Before");
        factory.Dispose();

        var loggerTakenAfterDisposal = provider.GetLogger("Hangfire.After");

        Assert.False(loggerTakenAfterDisposal.Log(HangfireLogLevel.Error, () => "lost on purpose"));
        loggerTakenBeforeDisposal.Log(HangfireLogLevel.Error, () => "still no exception");
        Assert.DoesNotContain(recorder.Entries, entry => entry.Message == "lost on purpose");
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new RecordingLogger(this);

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(RecordingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._entries)
                {
                    owner._entries.Add((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
