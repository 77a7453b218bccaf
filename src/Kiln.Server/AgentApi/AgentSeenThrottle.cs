using System.Collections.Concurrent;

namespace Kiln.Server.AgentApi;

/// <summary>
/// Keeps a lease poll from writing the agent's last-seen time on every call: a busy agent polls once
/// per job, and each of those writes was a database write on the path of the next job. A poll writes
/// only when this server has not written that agent's row for <see cref="Interval"/>, which is far
/// inside the time after which an agent counts as offline (two lease times). Heartbeats, hellos and
/// registrations still write every time.
/// </summary>
/// <remarks>The times are this server's own, kept in memory (a singleton): after a restart, or on
/// another server, the first poll writes. Agents that are removed leave one small entry behind until
/// the server restarts.</remarks>
public sealed class AgentSeenThrottle(TimeProvider time)
{
    /// <summary>The longest a poll skips the write for.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<long, long> _lastWrite = new();

    /// <summary>How long a poll skips the write for with this lease time: 5 s, or a quarter of a short lease.</summary>
    public static TimeSpan Interval(int leaseSeconds) =>
        TimeSpan.FromSeconds(Math.Min(MaxInterval.TotalSeconds, leaseSeconds / 4.0));

    /// <summary>True (and remembers now) if the agent's row was not written by a poll within <paramref name="interval"/>.</summary>
    public bool ShouldWrite(long agentId, TimeSpan interval)
    {
        var now = time.GetTimestamp();
        while (true)
        {
            if (!_lastWrite.TryGetValue(agentId, out var last))
            {
                if (_lastWrite.TryAdd(agentId, now))
                {
                    return true;
                }

                continue;
            }

            if (time.GetElapsedTime(last, now) < interval)
            {
                return false;
            }

            if (_lastWrite.TryUpdate(agentId, now, last))
            {
                return true;
            }
        }
    }
}
