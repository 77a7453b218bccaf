using Microsoft.Extensions.Time.Testing;

namespace Kiln.Agent.Tests;

/// <summary>A fake clock that counts the timers made on it. A timer starts from the clock's time when it is
/// made, so a test that advances the clock before the code under test started waiting would advance it
/// for nothing; waiting for the count first makes the step deterministic.</summary>
internal sealed class CountingClock : FakeTimeProvider
{
    private int _timers;

    public int Timers => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>Waits (on the wall clock) until at least <paramref name="count"/> timers were made.</summary>
    public Task WaitForTimersAsync(int count) =>
        FakeAgentServer.WaitUntilAsync(() => Timers >= count, RunnerHarness.Patience, $"{count} timer(s) on the fake clock");
}
