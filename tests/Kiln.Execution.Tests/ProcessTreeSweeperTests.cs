using System.Globalization;
using System.Text;
using Kiln.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Execution.Tests;

public sealed class ProcessTreeSweeperTests
{
    private readonly ProcessTreeSweeper _sweeper = new(TimeProvider.System, NullLogger<ProcessTreeSweeper>.Instance);

    [Theory]
    [InlineData("A=1\0KILN_JOB_COOKIE=abc\0B=2\0", true)]
    [InlineData("KILN_JOB_COOKIE=abc\0", true)]
    [InlineData("KILN_JOB_COOKIE=abc", true)]
    [InlineData("KILN_JOB_COOKIE=abcd\0", false)]
    [InlineData("X_KILN_JOB_COOKIE=abc\0", false)]
    [InlineData("A=KILN_JOB_COOKIE=abc\0", false)]
    [InlineData("", false)]
    public void Matches_only_the_exact_entry(string environment, bool expected)
    {
        Assert.Equal(expected, ProcessTreeSweeper.HasEntry(Encoding.UTF8.GetBytes(environment), "KILN_JOB_COOKIE=abc"u8));
    }

    [Fact]
    public async Task Kills_and_reaps_escaped_processes_of_the_job_only()
    {
        // Makes this test host a subreaper for good: orphans of later tests become its zombies, which the tests treat as dead.
        Assert.True(ProcessTreeSweeper.TryBecomeSubreaper());
        var job = new StepHarness();
        var otherJob = new StepHarness();
        var sink = new CollectingSink();
        var otherSink = new CollectingSink();
        const string Script = "setsid nohup sleep 1000 >/dev/null 2>&1 &\necho $!\nsetsid sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!'";

        await job.RunAsync(Script, sink).WaitAsync(TimeSpan.FromSeconds(10));
        await otherJob.RunAsync(Script, otherSink).WaitAsync(TimeSpan.FromSeconds(10));
        int[] pids = sink.Texts.Select(text => int.Parse(text, CultureInfo.InvariantCulture)).ToArray();
        int[] otherPids = otherSink.Texts.Select(text => int.Parse(text, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2, pids.Length);
        Assert.All(pids, pid => Assert.Equal(Environment.ProcessId, ProcFs.ReadStat(pid)?.ParentId));

        int killed = await _sweeper.KillJobProcessesAsync(job.Cookie, CancellationToken.None);

        Assert.Equal(2, killed);
        Assert.All(pids, pid => Assert.Null(ProcFs.ReadStat(pid))); // dead and reaped, not a zombie
        Assert.Empty(ProcFs.LiveWithCookie(job.Cookie));
        Assert.All(otherPids, pid => Assert.True(ProcFs.IsAlive(pid)));

        Assert.Equal(2, await _sweeper.KillJobProcessesAsync(otherJob.Cookie, CancellationToken.None));
        Assert.Equal(0, await _sweeper.KillJobProcessesAsync(otherJob.Cookie, CancellationToken.None));
    }
}
