using System.Collections.Concurrent;

namespace Portal.Jobs.Live;

/// <summary>
/// A few dedicated threads for fsync. A group commit fsyncs every spool written since the last one at once, and
/// fsyncs issued together share the file system's journal commits; doing that on thread-pool threads would block
/// them for milliseconds each and starve the MQTT client and broker (which run on the pool) on a small machine.
/// Idle workers sleep on a kernel semaphore: no spinning that would take CPU from the ingest path.
/// </summary>
internal sealed class SpoolFsyncWorkers : IDisposable
{
    private readonly ConcurrentQueue<(Action Work, TaskCompletionSource Done)> _queue = new();
    private readonly Semaphore _pending = new(0, int.MaxValue);
    private readonly Thread[] _threads;
    private volatile bool _stopping;
    private int _disposed;

    public SpoolFsyncWorkers(int threads)
    {
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = "spool-fsync-" + i };
            _threads[i].Start();
        }
    }

    public Task RunAsync(Action work)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Enqueue((work, done));
        _pending.Release();
        return done.Task;
    }

    private void Run()
    {
        while (true)
        {
            _pending.WaitOne();
            if (!_queue.TryDequeue(out var item))
            {
                if (_stopping)
                {
                    return;
                }

                continue;
            }

            try
            {
                item.Work();
                item.Done.SetResult();
            }
#pragma warning disable CA1031 // the caller gets the exception through its task
            catch (Exception exception)
#pragma warning restore CA1031
            {
                item.Done.SetException(exception);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping = true;
        _pending.Release(_threads.Length);
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        _pending.Dispose();
    }
}
