using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>The queue says why each job waits, so a job no agent can take does not wait silently; on SQLite
/// and on PostgreSQL.</summary>
public sealed class QueueTests
{
    private const string App = RepoScenario.Project;

    [Theory]
    [InlineData(KilnDatabase.Sqlite)]
    [PostgresData]
    public async Task Queue_lists_waiting_jobs_with_their_reasons(KilnDatabase db)
    {
        await using var s = await RepoScenario.StartAsync("""
            jobs:
              train:
                runs-on: [gpu]
                steps: [ "echo never here" ]
              report:
                needs: [train]
                steps: [ "true" ]
            """, database: db);

        await s.Api.TriggerBuildAsync(App);
        var queue = (await s.Api.Http.GetFromJsonAsync("/api/v1/queue", KilnJsonContext.Default.ListQueuedJobResource))!;

        Assert.Equal(["train", "report"], queue.Select(j => j.Job));
        Assert.Equal(("queued", "no agent with labels gpu"), (queue[0].Status, queue[0].Reason));
        Assert.Equal(("waiting", "waiting on needs: train"), (queue[1].Status, queue[1].Reason));
        Assert.All(queue, j => Assert.True(j.WaitSeconds >= 0));

        var cli = await s.Server.RunCliAsync("status", "--queue");
        Expect.ExitCode(0, cli, s.Server);
        Assert.Contains("no agent with labels gpu", cli.Stdout, StringComparison.Ordinal);

        Expect.ExitCode(0, await s.Server.RunCliAsync("cancel", $"{App}#1"), s.Server);
        Assert.Empty((await s.Api.Http.GetFromJsonAsync("/api/v1/queue", KilnJsonContext.Default.ListQueuedJobResource))!);
    }
}
