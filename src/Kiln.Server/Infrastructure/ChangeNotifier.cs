namespace Kiln.Server.Infrastructure;

/// <summary>Wake-ups, so long polls and live tails return the moment something changes instead of
/// polling the database. Use: take <see cref="Waiter"/> first, then read the database, then await the
/// waiter with <see cref="WaitAsync"/>; a change in between completes it, so no wake-up is lost. A waiter
/// taken and then not awaited (the read showed nothing to wait for) is given back with <see cref="Release(Task)"/>.
/// Call <see cref="Notify"/> after the change is committed. With several servers on one PostgreSQL database,
/// <see cref="Notify"/> also tells the other servers through the <see cref="IChangePublisher"/>, and their
/// listener calls <see cref="NotifyLocal"/>; a wake-up is a hint to read the database again, never the data itself.
/// <para>A topic's entry counts the waiters that took it and goes when the last of them gives up (timeout,
/// cancellation, <see cref="Release(Task)"/>) or when the topic is notified, so topics that are never notified (a
/// job nobody cancels) do not stay for the life of the server. Waiters of one topic share one entry: one
/// that gives up leaves it to the others.</para></summary>
public sealed class ChangeNotifier(IChangePublisher? publisher = null)
{
    private readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Topics with waiters now.</summary>
    public int WaitingTopics
    {
        get
        {
            lock (_lock)
            {
                return _topics.Count;
            }
        }
    }

    /// <summary>A task that completes at the next <see cref="Notify"/> of <paramref name="topic"/>. Pass it
    /// once to <see cref="WaitAsync"/> or to <see cref="Release(Task)"/>.</summary>
    public Task Waiter(string topic)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(topic, out var entry))
            {
                entry = new Topic(this, topic);
                _topics.Add(topic, entry);
            }

            entry.Takers++;
            return entry.Woken.Task;
        }
    }

    /// <summary>Wakes the waiters of <paramref name="topic"/> here and on every other server.</summary>
    public void Notify(string topic)
    {
        NotifyLocal(topic);
        publisher?.Publish(topic);
    }

    /// <summary>Wakes the waiters of <paramref name="topic"/> in this process only.</summary>
    public void NotifyLocal(string topic)
    {
        Topic? entry;
        lock (_lock)
        {
            if (!_topics.Remove(topic, out entry))
            {
                return;
            }
        }

        entry.Woken.TrySetResult();
    }

    /// <summary>Wakes every waiter in this process, e.g. after wake-ups from other servers may have been
    /// missed; each re-reads the database and waits again.</summary>
    public void NotifyAllLocal()
    {
        List<Topic> all;
        lock (_lock)
        {
            all = [.. _topics.Values];
            _topics.Clear();
        }

        foreach (var entry in all)
        {
            entry.Woken.TrySetResult();
        }
    }

    /// <summary>Waits for the waiter, the timeout or cancellation, whichever is first; true if woken.
    /// However it ends, the waiter is given back.</summary>
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
        finally
        {
            Release(waiter);
        }
    }

    /// <summary>Gives back a waiter that will not be awaited; the topic's entry goes with its last waiter.</summary>
    public static void Release(Task waiter)
    {
        ArgumentNullException.ThrowIfNull(waiter);
        if (waiter.AsyncState is Topic entry)
        {
            entry.Owner.Release(entry);
        }
    }

    public static string Work => "work";

    /// <summary>A job's log grew or the job ended.</summary>
    public static string Job(long jobId) => $"job:{jobId}";

    /// <summary>A person asked to cancel a running job.</summary>
    public static string Cancel(long jobId) => $"cancel:{jobId}";

    public static string Build(long buildId) => $"build:{buildId}";

    private void Release(Topic entry)
    {
        lock (_lock)
        {
            // A notified entry has left the table already, and a newer one of the same name is not this one's.
            if (--entry.Takers <= 0 && _topics.TryGetValue(entry.Name, out var current) && current == entry)
            {
                _topics.Remove(entry.Name);
            }
        }
    }

    /// <summary>One topic's wake-up and how many waiters hold it (under the notifier's lock). The task's
    /// <see cref="Task.AsyncState"/> is the entry, so the static <see cref="WaitAsync"/> can give it back.</summary>
    private sealed class Topic
    {
        public Topic(ChangeNotifier owner, string name)
        {
            Owner = owner;
            Name = name;
            Woken = new TaskCompletionSource(this, TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public ChangeNotifier Owner { get; }

        public string Name { get; }

        public TaskCompletionSource Woken { get; }

        public int Takers { get; set; }
    }
}
