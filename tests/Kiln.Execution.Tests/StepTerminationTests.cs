using System.Diagnostics;
using Kiln.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Execution.Tests;

public sealed class StepTerminationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly StepHarness _harness = new();

    [Fact]
    public async Task Timeout_kills_the_step_and_says_so()
    {
        var sink = new CollectingSink();
        var clock = Stopwatch.StartNew();

        StepResult result = await _harness.RunAsync("echo started\nsleep 30", sink, TimeSpan.FromMilliseconds(500)).WaitAsync(Deadline);

        Assert.Equal(new StepResult(StepOutcome.TimedOut, null, "step timed out after 500ms"), result);
        Assert.Equal(["started", "[kiln] step timed out after 500ms"], sink.Texts);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Empty(await ProcFs.MembersOfKilledGroupAsync(_harness.ProcessId));
    }

    [Fact]
    public async Task A_step_that_ignores_SIGTERM_dies_after_the_grace_period()
    {
        var sink = new CollectingSink();
        var clock = Stopwatch.StartNew();

        StepResult result = await _harness.RunAsync("trap '' TERM\necho trapped\nsleep 30\necho survived", sink, TimeSpan.FromMilliseconds(300)).WaitAsync(Deadline);

        Assert.Equal(StepOutcome.TimedOut, result.Outcome);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300) + StepHarness.Grace, $"took {clock.Elapsed}");
        Assert.Equal(["trapped", "[kiln] step timed out after 300ms"], sink.Texts);
        Assert.Empty(await ProcFs.MembersOfKilledGroupAsync(_harness.ProcessId));
    }

    [Fact]
    public async Task Cancel_kills_the_whole_process_group()
    {
        var sink = new CollectingSink();
        using var cancel = new CancellationTokenSource();
        Task<StepResult> running = _harness.RunAsync("sleep 30 &\nsleep 30 | cat\n", sink, cancellationToken: cancel.Token);
        await WaitUntilAsync(() => _harness.ProcessId != 0 && ProcFs.LiveMembersOfGroup(_harness.ProcessId).Count >= 4);

        await cancel.CancelAsync();
        StepResult result = await running.WaitAsync(Deadline);

        Assert.Equal(new StepResult(StepOutcome.Canceled, null, "step canceled"), result);
        Assert.Equal(["[kiln] step canceled"], sink.Texts);
        Assert.Empty(await ProcFs.MembersOfKilledGroupAsync(_harness.ProcessId));
    }

    [Fact]
    public async Task Cancel_before_start_starts_nothing()
    {
        StepResult result = await _harness.RunAsync("echo no", new CollectingSink(), cancellationToken: new CancellationToken(canceled: true));

        Assert.Equal(StepOutcome.Canceled, result.Outcome);
        Assert.Equal(0, _harness.ProcessId);
    }

    [Fact]
    public async Task An_escaped_background_process_does_not_hold_the_step_and_the_sweeper_kills_it()
    {
        var sink = new CollectingSink();
        var clock = Stopwatch.StartNew();

        StepResult result = await _harness.RunAsync("setsid nohup sleep 1000 &\necho $!", sink).WaitAsync(Deadline);

        Assert.Equal(StepOutcome.Succeeded, result.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        int sleeper = int.Parse(sink.Texts.Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ProcFs.IsAlive(sleeper));
        Assert.NotEqual(_harness.ProcessId, ProcFs.ReadStat(sleeper)?.ProcessGroupId);

        var sweeper = new ProcessTreeSweeper(TimeProvider.System, NullLogger<ProcessTreeSweeper>.Instance);
        int killed = await sweeper.KillJobProcessesAsync(_harness.Cookie, CancellationToken.None);

        Assert.Equal(1, killed);
        await WaitUntilAsync(() => !ProcFs.IsAlive(sleeper));
        Assert.Empty(ProcFs.LiveWithCookie(_harness.Cookie));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
