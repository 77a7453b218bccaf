using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary>Agent protocol v1 driven by hand over HTTP against the real server.</summary>
public sealed class AgentProtocolTests
{
    [Fact]
    public async Task A_lease_long_poll_wakes_for_a_new_build_and_hands_out_the_job_with_its_environment()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync("agent-1");
        await server.CreateTaskProjectAsync("app");
        var clock = Stopwatch.StartNew();
        var polling = LeaseAsync(agent, waitSeconds: 20);
        await Task.Delay(500);
        Assert.False(polling.IsCompleted, "the long poll answered although nothing was queued");

        var build = await server.TriggerAsync("app");
        var lease = await polling.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the long poll took {clock.Elapsed.TotalSeconds:0.#} s to hand out a queued job");
        Assert.Equal((build.Jobs[0].Id, "app", build.Id, 1, "build"), (lease.JobId, lease.Project, lease.BuildId, lease.BuildNumber, lease.JobName));
        Assert.Null(lease.Source);
        Assert.False(string.IsNullOrEmpty(lease.LeaseToken));
        Assert.Equal(30, lease.LeaseSeconds);
        Assert.InRange(lease.LeaseExpiresAt, TimeProvider.System.GetUtcNow().AddSeconds(20), TimeProvider.System.GetUtcNow().AddSeconds(31));
        var step = Assert.Single(lease.Steps);
        Assert.Equal((0, "compile", "echo compiling", "success", false), (step.Index, step.Name, step.Run, step.If, step.ContinueOnError));
        foreach (var env in new[] { lease.Environment, step.Environment })
        {
            Assert.Equal("true", env["KILN"]);
            Assert.Equal("app", env["KILN_PROJECT"]);
            Assert.Equal("1", env["KILN_BUILD_NUMBER"]);
            Assert.Equal(build.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), env["KILN_BUILD_ID"]);
            Assert.Equal("build", env["KILN_JOB"]);
            Assert.Equal(lease.JobId.ToString(System.Globalization.CultureInfo.InvariantCulture), env["KILN_JOB_ID"]);
            Assert.Equal("api", env["KILN_EVENT"]);
            Assert.Equal("admin", env["KILN_TRIGGERED_BY"]);
        }

        var running = await server.GetBuildAsync("app", 1);
        Assert.Equal("running", running.Status);
        Assert.NotNull(running.StartedAt);
        Assert.Equal(("running", "agent-1"), (running.Jobs[0].Status, running.Jobs[0].Agent));
        Assert.Equal("waiting", running.Jobs[1].Status);

        // Nothing else is queued: the next poll answers 204.
        using var none = await agent.PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(0), KilnJsonContext.Default.LeaseRequest);
        Assert.Equal(HttpStatusCode.NoContent, none.StatusCode);
    }

    [Fact]
    public async Task Heartbeats_and_watches_are_fenced_by_the_lease_and_carry_a_cancel()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        var lease = await LeaseAsync(agent);

        using (var stale = await agent.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/heartbeat", new HeartbeatRequest("not-the-lease"), KilnJsonContext.Default.HeartbeatRequest))
        {
            await ProblemAsync(stale, HttpStatusCode.Conflict);
        }

        var beat = await HeartbeatAsync(agent, lease);
        Assert.False(beat.CancelRequested);
        Assert.InRange(beat.LeaseExpiresAt, TimeProvider.System.GetUtcNow().AddSeconds(20), TimeProvider.System.GetUtcNow().AddSeconds(31));
        var quiet = await WatchAsync(agent, lease, 1);
        Assert.False(quiet.CancelRequested);

        var watching = WatchAsync(agent, lease, 20);
        await Task.Delay(300);
        Assert.False(watching.IsCompleted, "the watch answered although nobody canceled");
        var clock = Stopwatch.StartNew();
        using (var cancel = await server.Admin.PostAsync("api/v1/projects/app/builds/1/cancel", null))
        {
            await ExpectAsync(cancel, HttpStatusCode.Accepted);
        }

        Assert.True((await watching.WaitAsync(TimeSpan.FromSeconds(10))).CancelRequested);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the watch took {clock.Elapsed.TotalSeconds:0.#} s to see the cancel");
        Assert.True((await HeartbeatAsync(agent, lease)).CancelRequested);

        // The running job ends when its agent says so; the waiting one was canceled at once.
        var build = await server.GetBuildAsync("app", 1);
        Assert.Equal(("running", "running", "canceled"), (build.Status, build.Jobs[0].Status, build.Jobs[1].Status));
        using (var done = await CompleteAsync(agent, lease, "canceled"))
        {
            await ExpectAsync(done, HttpStatusCode.OK);
        }

        build = await server.GetBuildAsync("app", 1);
        Assert.Equal(("canceled", "canceled"), (build.Status, build.Jobs[0].Status));
    }

    [Fact]
    public async Task Log_chunks_append_in_sequence_idempotently_and_read_back_as_text()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        var lease = await LeaseAsync(agent);

        using (var first = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 0, "hello\nworld\n", "0:1700000000000;1:1700000000500"))
        {
            await ExpectAsync(first, HttpStatusCode.OK);
            Assert.False((await first.Content.ReadFromJsonAsync(KilnJsonContext.Default.AgentAck))!.CancelRequested);
        }

        Assert.Equal("hello\nworld\n", await ReadLogAsync(server, ""));

        using (var resend = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 0, "hello\nworld\n", "0:1700000000000;1:1700000000500"))
        {
            await ExpectAsync(resend, HttpStatusCode.OK);
        }

        using (var gap = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 2, "too early\n"))
        {
            await ProblemAsync(gap, HttpStatusCode.Conflict);
        }

        using (var stale = await AppendLogAsync(agent, lease.JobId, "not-the-lease", 1, "intruder\n"))
        {
            await ProblemAsync(stale, HttpStatusCode.Conflict);
        }

        using (var badTimes = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 1, "x\n", "nonsense"))
        {
            await ProblemAsync(badTimes, HttpStatusCode.BadRequest);
        }

        using (var partialLine = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 1, "no newline"))
        {
            await ProblemAsync(partialLine, HttpStatusCode.BadRequest);
        }

        Assert.Equal("hello\nworld\n", await ReadLogAsync(server, ""));
        using (var next = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 1, "again\n", "0:1700000001000"))
        {
            await ExpectAsync(next, HttpStatusCode.OK);
        }

        using var full = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/build/log");
        Assert.Equal("hello\nworld\nagain\n", await full.Content.ReadAsStringAsync());
        Assert.Equal("18", full.Headers.GetValues("X-Kiln-Log-End").Single());
        Assert.Equal(18, (await server.GetJobAsync("app", 1, "build")).LogBytes);
        Assert.Equal("world\nagain\n", await ReadLogAsync(server, "?offset=6"));
        Assert.Equal(
            "2023-11-14T22:13:20.000Z hello\n2023-11-14T22:13:20.500Z world\n2023-11-14T22:13:21.000Z again\n",
            await ReadLogAsync(server, "?timestamps=true"));

        using var ranged = new HttpRequestMessage(HttpMethod.Get, "api/v1/projects/app/builds/1/jobs/build/log");
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(12, null);
        using var tail = await server.Admin.SendAsync(ranged);
        Assert.Equal("again\n", await tail.Content.ReadAsStringAsync());
        using var beyond = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/build/log?offset=19");
        await ProblemAsync(beyond, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_log_stream_of_a_finished_job_replays_as_events_ends_and_resumes_after_Last_Event_ID()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        var lease = await LeaseAsync(agent);
        using (var a = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 0, "a\nb\n"))
        using (var b = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 1, "c\n"))
        using (var done = await CompleteAsync(agent, lease, "succeeded"))
        {
            await ExpectAsync(a, HttpStatusCode.OK);
            await ExpectAsync(b, HttpStatusCode.OK);
            await ExpectAsync(done, HttpStatusCode.OK);
        }

        using var all = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/build/log/stream");
        await ExpectAsync(all, HttpStatusCode.OK);
        Assert.Equal("text/event-stream", all.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "id: 4\nevent: log\ndata: a\ndata: b\n\nid: 6\nevent: log\ndata: c\n\nevent: end\ndata: {\"status\":\"succeeded\"}\n\n",
            await all.Content.ReadAsStringAsync());

        using var resume = new HttpRequestMessage(HttpMethod.Get, "api/v1/projects/app/builds/1/jobs/build/log/stream");
        resume.Headers.Add("Last-Event-ID", "4");
        using var rest = await server.Admin.SendAsync(resume);
        Assert.Equal("id: 6\nevent: log\ndata: c\n\nevent: end\ndata: {\"status\":\"succeeded\"}\n\n", await rest.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_log_stream_of_a_running_job_tails_new_chunks_and_ends_when_the_job_does()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        var lease = await LeaseAsync(agent);
        using (var first = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 0, "first\n"))
        {
            await ExpectAsync(first, HttpStatusCode.OK);
        }

        using var response = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/build/log/stream", HttpCompletionOption.ResponseHeadersRead);
        await ExpectAsync(response, HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        await ReadUntilAsync(reader, "data: first");

        using (var second = await AppendLogAsync(agent, lease.JobId, lease.LeaseToken, 1, "second\n"))
        {
            await ExpectAsync(second, HttpStatusCode.OK);
        }

        var between = await ReadUntilAsync(reader, "data: second");
        Assert.Contains("id: 13", between);
        using (var done = await CompleteAsync(agent, lease, "failed"))
        {
            await ExpectAsync(done, HttpStatusCode.OK);
        }

        await ReadUntilAsync(reader, "event: end");
        Assert.Equal("data: {\"status\":\"failed\"}", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Completing_a_job_records_its_steps_advances_the_build_and_releases_dependent_jobs()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        var build = await LeaseAsync(agent);

        using (var unknown = await ReportStepAsync(agent, build, 0, "exploded"))
        {
            await ProblemAsync(unknown, HttpStatusCode.BadRequest);
        }

        using (var started = await ReportStepAsync(agent, build, 0, "running"))
        {
            await ExpectAsync(started, HttpStatusCode.OK);
        }

        Assert.Equal("running", (await server.GetJobAsync("app", 1, "build")).Steps[0].Status);
        using (var ended = await ReportStepAsync(agent, build, 0, "succeeded", 0))
        using (var notFinal = await CompleteAsync(agent, build, "running"))
        using (var done = await CompleteAsync(agent, build, "succeeded"))
        using (var twice = await CompleteAsync(agent, build, "failed"))
        {
            await ExpectAsync(ended, HttpStatusCode.OK);
            await ProblemAsync(notFinal, HttpStatusCode.BadRequest);
            await ExpectAsync(done, HttpStatusCode.OK);
            await ProblemAsync(twice, HttpStatusCode.Conflict);
        }

        var afterFirst = await server.GetBuildAsync("app", 1);
        Assert.Equal("running", afterFirst.Status);
        Assert.Equal(("succeeded", "succeeded", 0), (afterFirst.Jobs[0].Status, afterFirst.Jobs[0].Steps[0].Status, afterFirst.Jobs[0].Steps[0].ExitCode));
        Assert.NotNull(afterFirst.Jobs[0].FinishedAt);
        Assert.Equal("queued", afterFirst.Jobs[1].Status);
        Assert.NotNull(afterFirst.Jobs[1].QueuedAt);

        var test = await LeaseAsync(agent);
        Assert.Equal("test", test.JobName);
        Assert.Equal(["unit", "integration"], test.Steps.Select(s => s.Name));
        using (var unit = await ReportStepAsync(agent, test, 0, "running"))
        using (var unitFailed = await ReportStepAsync(agent, test, 0, "failed", 2))
        using (var done = await CompleteAsync(agent, test, "failed"))
        {
            await ExpectAsync(unit, HttpStatusCode.OK);
            await ExpectAsync(unitFailed, HttpStatusCode.OK);
            await ExpectAsync(done, HttpStatusCode.OK);
        }

        var final = await server.GetBuildAsync("app", 1);
        Assert.Equal("failed", final.Status);
        Assert.NotNull(final.FinishedAt);
        Assert.Equal("failed", final.Jobs[1].Status);
        Assert.Equal([("unit", "failed", (int?)2), ("integration", "skipped", null)], final.Jobs[1].Steps.Select(s => (s.Name, s.Status, s.ExitCode)));
    }

    internal static async Task<HeartbeatResponse> HeartbeatAsync(HttpClient agent, JobLease lease)
    {
        using var response = await agent.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/heartbeat", new HeartbeatRequest(lease.LeaseToken), KilnJsonContext.Default.HeartbeatRequest);
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.HeartbeatResponse))!;
    }

    private static async Task<WatchResponse> WatchAsync(HttpClient agent, JobLease lease, int waitSeconds)
    {
        using var response = await agent.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/watch", new WatchRequest(lease.LeaseToken, waitSeconds), KilnJsonContext.Default.WatchRequest);
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.WatchResponse))!;
    }

    private static async Task<string> ReadLogAsync(KilnTestServer server, string query)
    {
        using var response = await server.Admin.GetAsync("api/v1/projects/app/builds/1/jobs/build/log" + query);
        await ExpectAsync(response, HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Reads SSE lines until one equals <paramref name="line"/>; returns what came before it.</summary>
    private static async Task<string> ReadUntilAsync(StreamReader reader, string line)
    {
        var seen = new System.Text.StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = await reader.ReadLineAsync(timeout.Token);
            if (next is null)
            {
                Assert.Fail($"The stream ended before '{line}'; it sent:\n{seen}");
            }

            if (next == line)
            {
                return seen.ToString();
            }

            seen.Append(next).Append('\n');
        }
    }
}
