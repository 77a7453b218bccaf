using System.Diagnostics;
using Kiln.Contracts.Api;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>Cancel from the CLI, restarts on the same data folder (and database), and graceful shutdown with a
/// step running; each on SQLite and on PostgreSQL.</summary>
public sealed class CancelAndRestartTests
{
    private const string App = RepoScenario.Project;

    [Theory]
    [InlineData(KilnDatabase.Sqlite)]
    [PostgresData]
    public async Task Cancel_stops_a_running_build_and_kills_its_step(KilnDatabase db)
    {
        var sleep = ProcessTable.UniqueSleep(60);
        await using var s = await RepoScenario.StartAsync(BuildOutcomeTests.SleepPipeline(sleep), database: db);
        try
        {
            await s.Api.TriggerBuildAsync(App);
            await WaitUntilStepRunsAsync(s, sleep);

            var clock = Stopwatch.StartNew();
            Expect.ExitCode(0, await s.Server.RunCliAsync("cancel", $"{App}#1"), s.Server);
            var build = await s.Api.WaitForFinishedAsync(App, 1, TimeSpan.FromSeconds(20));
            clock.Stop();

            AssertAllCanceled(build);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"cancel took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Empty(await ProcessTable.WaitUntilGoneAsync("sleep " + sleep, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            ProcessTable.KillAll("sleep " + sleep);
        }
    }

    [Theory]
    [InlineData(KilnDatabase.Sqlite)]
    [PostgresData]
    public async Task Builds_and_logs_survive_a_restart_and_numbering_continues(KilnDatabase db)
    {
        var marker = "first-build-" + Guid.NewGuid().ToString("N");
        await using var s = await RepoScenario.StartAsync($$"""
            jobs:
              hello:
                steps:
                  - run: echo {{marker}}
            """, database: db);

        Assert.Equal("succeeded", (await s.Api.TriggerBuildAsync(App, wait: true)).Status);

        Assert.Equal(0, await s.Server.StopAsync());
        await s.Server.StartAsync();

        var second = await s.Api.TriggerBuildAsync(App, wait: true);
        Assert.Equal((2, "succeeded"), (second.Number, second.Status));
        Assert.Equal(new[] { 2, 1 }, await s.Api.ListBuildNumbersAsync(App));
        Assert.Equal("succeeded", (await s.Api.GetBuildAsync(App, 1)).Status);
        Assert.Contains(marker, await s.Api.GetLogAsync(App, 1, "hello"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KilnDatabase.Sqlite)]
    [PostgresData]
    public async Task Graceful_shutdown_cancels_the_running_build(KilnDatabase db)
    {
        var sleep = ProcessTable.UniqueSleep(60);
        await using var s = await RepoScenario.StartAsync(BuildOutcomeTests.SleepPipeline(sleep), database: db);
        try
        {
            await s.Api.TriggerBuildAsync(App);
            await WaitUntilStepRunsAsync(s, sleep);

            Assert.Equal(0, await s.Server.StopAsync(TimeSpan.FromSeconds(30)));
            Assert.Empty(await ProcessTable.WaitUntilGoneAsync("sleep " + sleep, TimeSpan.FromSeconds(5)));

            await s.Server.StartAsync();
            AssertAllCanceled(await s.Api.GetBuildAsync(App, 1));
        }
        finally
        {
            ProcessTable.KillAll("sleep " + sleep);
        }
    }

    private static async Task WaitUntilStepRunsAsync(RepoScenario s, string sleep)
    {
        await s.Api.WaitForBuildAsync(
            App,
            1,
            b => b.Status == "running" && b.Jobs.Any(j => j.Status == "running" && j.Steps.Any(st => st.Status == "running")),
            TimeSpan.FromSeconds(30),
            "running its step");
        Assert.True(
            await ProcessTable.WaitUntilPresentAsync("sleep " + sleep, TimeSpan.FromSeconds(15)),
            $"no 'sleep {sleep}' process appeared\n{Expect.ServerTail(s.Server)}");
    }

    private static void AssertAllCanceled(BuildResource build)
    {
        Assert.Equal("canceled", build.Status);
        var job = Assert.Single(build.Jobs);
        Assert.Equal("canceled", job.Status);
        Assert.Equal("canceled", Assert.Single(job.Steps).Status);
        Assert.NotNull(build.FinishedAt);
    }
}
