using System.Collections.Concurrent;

namespace Kiln.Server.Infrastructure;

/// <summary>Wake-ups, so long polls and live tails return the moment something changes instead of
/// polling the database. Use: take <see cref="Waiter"/> first, then read the database, then await the
/// waiter; a change in between completes it, so no wake-up is lost. Call <see cref="Notify"/> after the
/// change is committed. With several servers on one PostgreSQL database, <see cref="Notify"/> also
/// tells the other servers through the <see cref="IChangePublisher"/>, and their listener calls
/// <see cref="NotifyLocal"/>; a wake-up is a hint to read the database again, never the data itself.</summary>
public sealed class ChangeNotifier(IChangePublisher? publisher = null)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new();

    public Task Waiter(string topic) =>
        _waiters.GetOrAdd(topic, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes the waiters of <paramref name="topic"/> here and on every other server.</summary>
    public void Notify(string topic)
    {
        NotifyLocal(topic);
        publisher?.Publish(topic);
    }

    /// <summary>Wakes the waiters of <paramref name="topic"/> in this process only.</summary>
    public void NotifyLocal(string topic)
    {
        if (_waiters.TryRemove(topic, out var tcs))
        {
            tcs.TrySetResult();
        }
    }

    /// <summary>Wakes every waiter in this process, e.g. after wake-ups from other servers may have been
    /// missed; each re-reads the database and waits again.</summary>
    public void NotifyAllLocal()
    {
        foreach (var topic in _waiters.Keys)
        {
            NotifyLocal(topic);
        }
    }

    /// <summary>Waits for the waiter, the timeout or cancellation, whichever is first; true if woken.</summary>
    public static async Task<bool> WaitAsync(Task waiter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public static string Work => "work";

    /// <summary>A job's log grew or the job ended.</summary>
    public static string Job(long jobId) => $"job:{jobId}";

    /// <summary>A person asked to cancel a running job.</summary>
    public static string Cancel(long jobId) => $"cancel:{jobId}";

    public static string Build(long buildId) => $"build:{buildId}";
}
