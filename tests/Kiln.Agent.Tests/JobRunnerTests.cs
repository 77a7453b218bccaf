using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using static Kiln.Agent.Tests.RunnerHarness;

namespace Kiln.Agent.Tests;

/// <summary>The job runner end to end: a task-only lease from a fake server, real bash steps in a
/// real workspace, and the reports the server gets back.</summary>
public sealed class JobRunnerTests
{
    [Fact]
    public async Task Step_conditions_and_continue_on_error_decide_what_runs_and_how_the_job_ends()
    {
        await using var h = await StartAsync();
        var lease = h.Lease(
        [
            Step(0, "echo one"),
            Step(1, "echo tolerated; exit 7", continueOnError: true),
            Step(2, "echo two"),
            Step(3, "echo breaking; exit 3"),
            Step(4, "echo never"),
            Step(5, "echo on-failure ran", cond: "failure"),
            Step(6, "echo always ran", cond: "always"),
        ]);

        var complete = await h.RunAsync(lease);

        Assert.Equal("failed", complete.Status);
        Assert.Equal(
            ["0 running", "0 succeeded 0", "1 running", "1 failed 7", "2 running", "2 succeeded 0", "3 running", "3 failed 3",
             "4 skipped", "5 running", "5 succeeded 0", "6 running", "6 succeeded 0"],
            h.StepTrail(lease));
        var log = h.LogLines(lease);
        Assert.Contains("one", log);
        Assert.Contains("two", log);
        Assert.Contains("on-failure ran", log);
        Assert.Contains("always ran", log);
        Assert.Contains("[kiln] step failed with exit code 3", log);
        Assert.DoesNotContain("never", log);
        Assert.Equal("[kiln] job failed", log[^1]);
    }

    [Fact]
    public async Task A_failure_step_does_not_run_when_nothing_failed()
    {
        await using var h = await StartAsync();
        var lease = h.Lease([Step(0, "echo fine"), Step(1, "echo on-failure ran", cond: "failure"), Step(2, "echo done", cond: "always")]);

        var complete = await h.RunAsync(lease);

        Assert.Equal("succeeded", complete.Status);
        Assert.Null(complete.Message);
        Assert.Equal(["0 running", "0 succeeded 0", "1 skipped", "2 running", "2 succeeded 0"], h.StepTrail(lease));
        Assert.DoesNotContain("on-failure ran", h.LogLines(lease));
    }

    [Fact]
    public async Task Steps_get_the_workspace_and_server_url_run_in_their_directory_and_shell_and_the_workspace_is_deleted()
    {
        await using var h = await StartAsync();
        var lease = h.Lease(
        [
            Step(0, """echo "ws=$KILN_WORKSPACE"; echo "url=$KILN_SERVER_URL"; echo "job=$KILN_JOB"; echo "pwd=$(pwd)"; mkdir -p sub/dir"""),
            Step(1, """echo "pwd=$(pwd)"; touch made-here""", workingDirectory: "sub/dir"),
            Step(2, """if [ -n "${BASH_VERSION:-}" ]; then echo "ran by bash"; exit 9; fi; echo "ran by sh"; ls sub/dir""", shell: "sh"),
        ]);
        var workspace = h.WorkspaceOf(lease);

        var complete = await h.RunAsync(lease);

        Assert.Equal("succeeded", complete.Status);
        Assert.Equal(["0 running", "0 succeeded 0", "1 running", "1 succeeded 0", "2 running", "2 succeeded 0"], h.StepTrail(lease));
        var log = h.LogLines(lease);
        Assert.Contains("ws=" + workspace, log);
        Assert.Contains("url=" + h.Server.Url.ToString().TrimEnd('/'), log);
        Assert.Contains("job=build", log);
        Assert.Contains("pwd=" + workspace, log);
        Assert.Contains("pwd=" + Path.Combine(workspace, "sub", "dir"), log);
        Assert.Contains("ran by sh", log);
        Assert.Contains("made-here", log);
        Assert.False(Directory.Exists(workspace), "the workspace outlived its job");
        Assert.False(Directory.Exists(h.ArtifactsOf(lease)), "the artifacts folder outlived its job");
    }

    [Fact]
    public async Task A_working_directory_outside_the_workspace_fails_that_step_without_running_it()
    {
        await using var h = await StartAsync();
        // The sibling exists, so only the workspace fence can stop the steps.
        var sibling = Path.Combine(h.WorkDir, "workspaces", "x");
        Directory.CreateDirectory(sibling);
        var lease = h.Lease(
        [
            Step(0, "touch escaped", workingDirectory: "../x"),
            Step(1, "echo next"),
            Step(2, "touch escaped", cond: "always", workingDirectory: sibling),
            Step(3, "echo cleanup ran", cond: "always"),
        ]);

        var complete = await h.RunAsync(lease);

        Assert.Equal("failed", complete.Status);
        Assert.Equal(["0 running", "0 failed", "1 skipped", "2 running", "2 failed", "3 running", "3 succeeded 0"], h.StepTrail(lease));
        Assert.False(File.Exists(Path.Combine(sibling, "escaped")), "the step ran outside its workspace");
        var log = h.LogLines(lease);
        Assert.Contains(log, l => l.StartsWith("[kiln] step could not run: working-directory '../x' is outside the workspace", StringComparison.Ordinal));
        Assert.Contains("cleanup ran", log);
    }

    [Fact]
    public async Task A_job_timeout_on_the_agent_clock_kills_the_running_step_and_completes_timed_out()
    {
        var clock = new FakeTimeProvider();
        await using var h = await StartAsync(clock);
        var running = h.Marker("running");
        // Ten minutes: on the wall clock the job would outlast the test, so only the fake clock can end it.
        var lease = h.Lease([Step(0, $"echo started; touch '{running}'; sleep 30; echo not-reached"), Step(1, "echo after", cond: "always")], timeoutSeconds: 600);
        var run = h.Runner.RunAsync(lease, CancellationToken.None);
        await FakeAgentServer.WaitUntilAsync(() => File.Exists(running), Patience, "the step to start");

        clock.Advance(TimeSpan.FromSeconds(599));
        await Task.Delay(100);
        Assert.False(run.IsCompleted, "the job ended before its timeout");
        clock.Advance(TimeSpan.FromSeconds(1));
        await run.WaitAsync(Patience);

        var (_, complete) = await h.Server.Completed.Task.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("timed_out", complete.Status);
        Assert.Equal(["0 running", "0 timed_out", "1 skipped"], h.StepTrail(lease));
        var log = h.LogLines(lease);
        Assert.Contains("started", log);
        Assert.DoesNotContain("not-reached", log);
    }

    [Fact]
    public async Task A_step_timeout_times_out_the_step_and_the_job_but_always_steps_still_run()
    {
        await using var h = await StartAsync();
        var lease = h.Lease([Step(0, "sleep 30", timeoutSeconds: 1), Step(1, "echo skipped-step"), Step(2, "echo always ran", cond: "always")]);

        var complete = await h.RunAsync(lease);

        Assert.Equal("timed_out", complete.Status);
        Assert.Equal(["0 running", "0 timed_out", "1 skipped", "2 running", "2 succeeded 0"], h.StepTrail(lease));
        Assert.Contains("always ran", h.LogLines(lease));
    }

    [Fact]
    public async Task A_cancel_from_the_watch_long_poll_stops_the_step_promptly_and_completes_canceled()
    {
        await using var h = await StartAsync();
        // A long lease: heartbeats come every 100 s, so only the watch can deliver the cancel.
        var lease = h.Lease([Step(0, "echo started; sleep 30; echo not-reached"), Step(1, "echo cleanup", cond: "always")], leaseSeconds: 300);
        var run = h.Runner.RunAsync(lease, CancellationToken.None);
        await FakeAgentServer.WaitUntilAsync(() => h.LogLines(lease).Contains("started"), Patience, "the step to start");

        var clock = Stopwatch.StartNew();
        h.Server.RequestCancel();
        await run.WaitAsync(Patience);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the job took {clock.Elapsed.TotalSeconds:0.#} s to stop after the cancel");
        var (_, complete) = await h.Server.Completed.Task.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("canceled", complete.Status);
        Assert.Empty(h.Server.Heartbeats);
        Assert.Equal(["0 running", "0 canceled", "1 skipped"], h.StepTrail(lease));
        Assert.DoesNotContain("not-reached", h.LogLines(lease));
        Assert.False(Directory.Exists(h.WorkspaceOf(lease)), "the workspace outlived its canceled job");
    }

    [Fact]
    public async Task Heartbeats_renew_the_lease_every_third_of_it_on_the_agent_clock()
    {
        var clock = new FakeTimeProvider();
        await using var h = await StartAsync(clock);
        var (running, release) = (h.Marker("running"), h.Marker("release"));
        // A 300 s lease: no beat would fall within the test on the wall clock, so each one is the fake clock's.
        var lease = h.Lease([Step(0, $"touch '{running}'; while [ ! -e '{release}' ]; do sleep 0.02; done")], leaseSeconds: 300);
        var run = h.Runner.RunAsync(lease, CancellationToken.None);
        await FakeAgentServer.WaitUntilAsync(() => File.Exists(running), Patience, "the step to start");

        clock.Advance(TimeSpan.FromSeconds(100));
        await FakeAgentServer.WaitUntilAsync(() => h.Server.Heartbeats.Count == 1, Patience, "the first heartbeat");
        clock.Advance(TimeSpan.FromSeconds(99));
        clock.Advance(TimeSpan.FromSeconds(1));
        await FakeAgentServer.WaitUntilAsync(() => h.Server.Heartbeats.Count == 2, Patience, "the second heartbeat");
        clock.Advance(TimeSpan.FromSeconds(99));
        await File.WriteAllTextAsync(release, "");
        await run.WaitAsync(Patience);

        var (_, complete) = await h.Server.Completed.Task.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("succeeded", complete.Status);
        // 299 s of the clock: two beats, none in the 99 s after the second.
        Assert.Equal([lease.LeaseToken, lease.LeaseToken], h.Server.Heartbeats);
    }

    [Fact]
    public async Task A_lease_refused_on_the_first_report_stops_the_step_and_the_job_without_completing_it()
    {
        // Step reports go out in the background, so the step has started when the 409 comes back; it
        // must be stopped at once, and nothing more reported.
        await using var h = await StartAsync();
        h.Server.ReportAnswer = StatusCodes.Status409Conflict;
        var lease = h.Lease([Step(0, "sleep 30; touch \"$KILN_WORKSPACE/../../ran\"")]);
        var clock = Stopwatch.StartNew();

        await h.Runner.RunAsync(lease, CancellationToken.None).WaitAsync(Patience);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the step ran on for {clock.Elapsed} after its lease was gone");
        Assert.False(h.Server.Completed.Task.IsCompleted, "a job whose lease was lost must report nothing more");
        Assert.False(File.Exists(Path.Combine(h.WorkDir, "ran")), "the step ran to its end although its lease was gone");
        Assert.False(Directory.Exists(h.WorkspaceOf(lease)));
    }

    [Fact]
    public async Task Step_reports_go_out_in_the_background_in_order_and_the_completion_waits_for_them()
    {
        // Every report takes 150 ms to be answered: the steps must not wait for them, but the
        // completion must come after the last one, and the server must get them in order.
        await using var h = await StartAsync();
        h.Server.StepDelay = TimeSpan.FromMilliseconds(150);
        var lease = h.Lease([Step(0, "true"), Step(1, "true"), Step(2, "true")]);

        var complete = await h.RunAsync(lease);

        Assert.Equal("succeeded", complete.Status);
        Assert.Equal(["0 running", "0 succeeded 0", "1 running", "1 succeeded 0", "2 running", "2 succeeded 0"], h.StepTrail(lease));
        Assert.True(h.Server.CompletedAfterSteps == 6, $"the completion came after {h.Server.CompletedAfterSteps} of 6 step reports");
        // Stamped when made, not when sent: the three steps' times are close together, not 150 ms apart.
        var times = h.Server.StepTimes.Where(t => t.JobId == lease.JobId).Select(t => t.At).ToList();
        Assert.True(times[^1] - times[0] < TimeSpan.FromMilliseconds(600), $"reports were stamped {times[^1] - times[0]} apart");
    }

    [Fact]
    public async Task A_lease_lost_at_a_heartbeat_stops_the_running_step_and_reports_nothing_more()
    {
        var clock = new FakeTimeProvider();
        await using var h = await StartAsync(clock);
        var running = h.Marker("running");
        var lease = h.Lease([Step(0, $"touch '{running}'; sleep 30; echo not-reached")], leaseSeconds: 300);
        var run = h.Runner.RunAsync(lease, CancellationToken.None);
        // The watch is already waiting, so only the heartbeat can bring the 409.
        // The running report goes out in the background: wait for it too.
        await FakeAgentServer.WaitUntilAsync(() => File.Exists(running) && h.Server.Watches == 1 && !h.Server.Steps.IsEmpty, Patience, "the step to start");

        h.Server.ReportAnswer = StatusCodes.Status409Conflict;
        clock.Advance(TimeSpan.FromSeconds(100));
        await run.WaitAsync(TimeSpan.FromSeconds(8));

        Assert.Single(h.Server.Heartbeats);
        Assert.False(h.Server.Completed.Task.IsCompleted, "a job whose lease was lost must report nothing more");
        Assert.Equal(["0 running"], h.StepTrail(lease));
        Assert.DoesNotContain("not-reached", h.LogLines(lease));
        Assert.False(Directory.Exists(h.WorkspaceOf(lease)));
    }

    [Fact]
    public async Task A_409_on_a_log_append_ends_the_job_for_this_agent_and_still_cleans_up()
    {
        await using var h = await StartAsync();
        h.Server.LogPolicy = (_, _) => Task.FromResult(StatusCodes.Status409Conflict);
        var lease = h.Lease([Step(0, "echo a; sleep 1; echo b; sleep 1")]);

        // The lease is lost for the log; the runner must neither throw nor leave its workspace behind.
        await h.Runner.RunAsync(lease, CancellationToken.None).WaitAsync(Patience);

        Assert.False(Directory.Exists(h.WorkspaceOf(lease)), "the workspace outlived its job");
        Assert.False(Directory.Exists(h.ArtifactsOf(lease)), "the artifacts folder outlived its job");
    }
}
