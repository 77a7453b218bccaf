using System.Collections.Concurrent;

namespace Kiln.Server.Infrastructure;

/// <summary>In-process wake-ups, so long polls and live tails return the moment something changes
/// instead of polling the database. Use: take <see cref="Waiter"/> first, then read the database,
/// then await the waiter; a change in between completes it, so no wake-up is lost.</summary>
public sealed class ChangeNotifier
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new();

    public Task Waiter(string topic) =>
        _waiters.GetOrAdd(topic, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string topic)
    {
        if (_waiters.TryRemove(topic, out var tcs))
        {
            tcs.TrySetResult();
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
