using System.Diagnostics;
using Kiln.Contracts;
using Kiln.EndToEnd.Tests.Harness;
using System.Text.Json;

namespace Kiln.EndToEnd.Tests;

/// <summary>Builds that pass, fail and time out, driven through the CLI and the API of a real server.</summary>
public sealed class BuildOutcomeTests
{
    private const string App = RepoScenario.Project;

    [Fact]
    public async Task Passing_build_via_cli_exits_0_and_its_log_and_status_are_shown()
    {
        var greeting = "hello-" + Guid.NewGuid().ToString("N");
        await using var s = await RepoScenario.StartAsync(
            GreetingPipeline(), addProject: false, files: new Dictionary<string, string> { ["greeting.txt"] = greeting + "\n" });

        Expect.ExitCode(0, await s.Server.RunCliAsync("project", "add", App, "--repo", s.Repo.Path, "--branch", "main"), s.Server);

        var build = await s.Server.RunCliAsync("build", App, "--wait");
        Expect.ExitCode(0, build, s.Server);
        Assert.Contains(greeting, build.Stdout, StringComparison.Ordinal);

        var logs = await s.Server.RunCliAsync("logs", $"{App}#1");
        Expect.ExitCode(0, logs, s.Server);
        Assert.Contains(greeting, logs.Stdout, StringComparison.Ordinal);

        var status = await s.Server.RunCliAsync("status", $"{App}#1");
        Expect.ExitCode(0, status, s.Server);
        Assert.Contains("succeeded", status.Stdout, StringComparison.OrdinalIgnoreCase);

        var json = await s.Server.RunCliAsync("status", $"{App}#1", "--json");
        Expect.ExitCode(0, json, s.Server);
        var resource = JsonSerializer.Deserialize(json.Stdout, KilnJsonContext.Default.BuildResource)!;
        Assert.Equal((1, "succeeded", s.Commit), (resource.Number, resource.Status, resource.Commit));
    }

    [Fact]
    public async Task Failing_step_fails_job_and_build_and_cli_wait_exits_1()
    {
        await using var s = await RepoScenario.StartAsync(FailingPipeline());

        var cli = await s.Server.RunCliAsync("build", App, "--wait");
        Expect.ExitCode(1, cli, s.Server);

        var build = await s.Api.GetBuildAsync(App, 1);
        Assert.Equal("failed", build.Status);
        var job = Assert.Single(build.Jobs);
        Assert.Equal("failed", job.Status);
        Assert.Equal(
            new (string, string, int?)[] { ("before", "succeeded", 0), ("fail", "failed", 3), ("after", "skipped", null) },
            job.Steps.Select(step => (step.Name, step.Status, step.ExitCode)));
    }

    [Fact]
    public async Task Job_after_a_failed_need_is_skipped()
    {
        await using var s = await RepoScenario.StartAsync(ChainPipeline(orderFile: null, failB: true));

        var build = await s.Api.TriggerBuildAsync(App, wait: true);

        Assert.Equal("failed", build.Status);
        Assert.Equal(
            new[] { ("a", "succeeded"), ("b", "failed"), ("c", "skipped") },
            build.Jobs.OrderBy(j => j.Name, StringComparer.Ordinal).Select(j => (j.Name, j.Status)));
    }

    [Fact]
    public async Task Jobs_run_in_needs_order_even_when_declared_in_reverse()
    {
        await using var s = await RepoScenario.StartAsync(null, addProject: false);
        var orderFile = s.Server.ScratchPath("order.txt");
        s.Repo.WriteFile(".kiln.yml", ChainPipeline(orderFile, failB: false));
        await s.Repo.CommitAsync("chain");
        await s.Api.CreateRepoProjectAsync(App, s.Repo.Path);

        var build = await s.Api.TriggerBuildAsync(App, wait: true);

        Assert.Equal("succeeded", build.Status);
        Assert.Equal(new[] { "a", "b", "c" }, File.ReadAllLines(orderFile));
        var jobs = build.Jobs.ToDictionary(j => j.Name);
        Assert.True(jobs["b"].StartedAt >= jobs["a"].FinishedAt, "b started before a finished");
        Assert.True(jobs["c"].StartedAt >= jobs["b"].FinishedAt, "c started before b finished");
    }

    [Fact]
    public async Task Step_over_its_timeout_is_timed_out_quickly()
    {
        var sleep = ProcessTable.UniqueSleep(30);
        await using var s = await RepoScenario.StartAsync(SleepPipeline(sleep, timeout: "2s"));
        try
        {
            var clock = Stopwatch.StartNew();
            var build = await s.Api.TriggerBuildAsync(App, wait: true);
            clock.Stop();

            Assert.Equal("failed", build.Status);
            var job = Assert.Single(build.Jobs);
            Assert.Equal("timed_out", job.Status);
            Assert.Equal("timed_out", Assert.Single(job.Steps).Status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the build took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Empty(await ProcessTable.WaitUntilGoneAsync("sleep " + sleep, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            ProcessTable.KillAll("sleep " + sleep);
        }
    }

    private static string GreetingPipeline() => """
        jobs:
          greet:
            steps:
              - name: greet
                run: cat greeting.txt
        """;

    private static string FailingPipeline() => """
        jobs:
          build:
            steps:
              - name: before
                run: echo before
              - name: fail
                run: exit 3
              - name: after
                run: echo after
        """;

    /// <summary>a → b → c, declared c, b, a. Each job appends its name to <paramref name="orderFile"/> (outside the workspace).</summary>
    private static string ChainPipeline(string? orderFile, bool failB) => $$"""
        env:
          ORDER_FILE: "{{orderFile ?? "/dev/null"}}"
        jobs:
          c:
            needs: [b]
            steps:
              - run: echo c >> "$ORDER_FILE"
          b:
            needs: [a]
            steps:
              - run: echo b >> "$ORDER_FILE"
              - run: {{(failB ? "exit 1" : "true")}}
          a:
            steps:
              - run: sleep 0.5 && echo a >> "$ORDER_FILE"
        """;

    internal static string SleepPipeline(string sleep, string? timeout = null) => $$"""
        jobs:
          long:
            steps:
              - name: sleepy
                run: sleep {{sleep}}
        {{(timeout is null ? "" : $"        timeout: {timeout}")}}
        """;
}
