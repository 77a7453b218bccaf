using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary><c>kill -9</c> of the server in the middle of a job, then a restart: the separate agent keeps
/// running the step, buffers its log, reconnects and finishes; the stored log has every line once, in
/// order, and the build ends on its first attempt. (The server's own agent runs inside the server
/// process and would die with it, so the server runs with <c>--agents 0</c> and a separate <c>kiln agent</c>.)
/// On SQLite and on PostgreSQL, where the restarted server reconnects to the same database.</summary>
public sealed class ServerCrashTests
{
    [Theory]
    [InlineData(KilnDatabase.Sqlite)]
    [PostgresData]
    public async Task A_server_killed_hard_mid_job_and_restarted_ends_the_build_succeeded_with_every_log_line_once_in_order(KilnDatabase db)
    {
        // A sleep of a unique length (0.1 s and a few digits): leftovers can be found and killed.
        var sleep = "0.1" + Random.Shared.Next(10_000, 100_000).ToString(CultureInfo.InvariantCulture);
        await using var server = await KilnServerProcess.StartNewAsync(
            new Dictionary<string, string> { ["KILN_LEASE_SECONDS"] = "6", ["KILN_REAPER_INTERVAL_SECONDS"] = "1" }, agents: 0, db);
        KilnAgentProcess? agent = null;
        try
        {
            var token = await CreateRegistrationTokenAsync(server);
            await server.Api.CreateTaskProjectAsync("crash", $$"""
                jobs:
                  chatty:
                    runs-on: [e2e]
                    steps:
                      - run: for i in $(seq 1 60); do echo "line $i"; sleep {{sleep}}; done
                """);
            agent = KilnAgentProcess.Start(server, "survivor", token, "--labels", "e2e");
            await server.Api.TriggerBuildAsync("crash");
            await server.Api.WaitForBuildAsync("crash", 1, b => b.Jobs[0].Steps[0].Status == "running", TimeSpan.FromSeconds(30), "running its step");
            await WaitForStoredLinesAsync(server, 5, TimeSpan.FromSeconds(15));

            // kill -9: no shutdown of any kind. The agent and its step go on.
            var pid = server.ProcessId;
            await ProcessRunner.RunAsync("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
            var clock = Stopwatch.StartNew();
            while (server.IsRunning)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the server survived kill -9");
                await Task.Delay(50);
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(agent.HasExited, agent.Output);
            await server.StartAsync();

            var build = await server.Api.WaitForFinishedAsync("crash", 1, TimeSpan.FromSeconds(60));
            var state = $"{JsonSerializer.Serialize(build, KilnJsonContext.Default.BuildResource)}\n--- agent ---\n{agent.Output}\n--- server ---\n{server.Output}";
            Assert.True(build.Status == "succeeded", state);
            var job = Assert.Single(build.Jobs);
            Assert.True((job.Status, job.Attempt) == ("succeeded", 1), state);
            Assert.True(job.PreviousAttempts is null or { Count: 0 }, state);
            Assert.Equal("succeeded", Assert.Single(job.Steps).Status);

            var log = await server.Api.GetLogLinesAsync("crash", 1, "chatty");
            Assert.Equal(Enumerable.Range(1, 60).Select(i => $"line {i}"), log.Where(l => l.StartsWith("line ", StringComparison.Ordinal)));

            // Nothing at all was stored twice (the [kiln] lines included).
            Assert.Equal(log.Count, log.Distinct(StringComparer.Ordinal).Count());
            Assert.Contains("[kiln] job succeeded", log);

            // The agent worked through the outage without giving the job up, and left no spool behind.
            Assert.DoesNotContain("lease lost", agent.Output, StringComparison.Ordinal);
            var spool = Path.Combine(agent.WorkDir, "spool");
            Assert.True(!Directory.Exists(spool) || Directory.GetFileSystemEntries(spool).Length == 0, "a spool folder was left behind");
        }
        finally
        {
            if (agent is not null)
            {
                await agent.DisposeAsync();
            }

            ProcessTable.KillAll("sleep " + sleep);
        }
    }

    private static async Task WaitForStoredLinesAsync(KilnServerProcess server, int lines, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var stored = (await server.Api.GetLogLinesAsync("crash", 1, "chatty")).Count(l => l.StartsWith("line ", StringComparison.Ordinal));
            if (stored >= lines)
            {
                return;
            }

            Assert.True(clock.Elapsed < timeout, $"only {stored} lines stored after {timeout.TotalSeconds:0} s\n{server.Output}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> CreateRegistrationTokenAsync(KilnServerProcess server)
    {
        var created = await server.RunCliAsync("token", "create", "--agent", "--name", "e2e");
        Expect.ExitCode(0, created, server);
        var lines = created.Stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("kiln_", lines[^1], StringComparison.Ordinal);
        return lines[^1];
    }
}
