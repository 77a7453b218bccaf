using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Microsoft.Extensions.DependencyInjection;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary>Queue policies seen through the API: superseding queued builds of a branch, and
/// <c>concurrency</c> with <c>cancel-in-progress</c>.</summary>
public sealed class QueuePolicyServerTests
{
    private const string DeployPipeline = """
        jobs:
          deploy:
            concurrency: { group: prod, cancel-in-progress: true }
            steps:
              - name: ship
                run: echo shipping
        """;

    [Fact]
    public async Task A_newer_build_of_a_branch_supersedes_the_branchs_queued_builds_but_not_other_branches()
    {
        var repo = await CreateRepoAsync(KilnTestServer.TwoJobPipeline);
        try
        {
            await Git(repo, "branch", "other");
            await using var server = await StartAsync();
            using (var created = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest("app", repo, "main", null), KilnJsonContext.Default.CreateProjectRequest))
            {
                await ExpectAsync(created, HttpStatusCode.Created);
            }

            await server.TriggerAsync("app");
            await TriggerRefAsync(server, "other");
            await server.TriggerAsync("app");

            var superseded = await server.GetBuildAsync("app", 1);
            Assert.Equal("canceled", superseded.Status);
            Assert.All(superseded.Jobs, j => Assert.Equal(("canceled", "superseded"), (j.Status, j.FailureReason)));
            Assert.Equal("queued", (await server.GetBuildAsync("app", 2)).Status);
            Assert.Equal("queued", (await server.GetBuildAsync("app", 3)).Status);
        }
        finally
        {
            DeleteRepo(repo);
        }
    }

    [Fact]
    public async Task Projects_made_through_the_api_share_the_agents_fairly()
    {
        var bigRepo = await CreateRepoAsync("""
            jobs:
              a: { steps: [{ name: s, run: "true" }] }
              b: { steps: [{ name: s, run: "true" }] }
              c: { steps: [{ name: s, run: "true" }] }
              d: { steps: [{ name: s, run: "true" }] }
            """);
        var smallRepo = await CreateRepoAsync(KilnTestServer.TwoJobPipeline);
        try
        {
            await using var server = await StartAsync();
            var agent = await server.EnrollAgentAsync();
            foreach (var (name, repo) in new[] { ("big", bigRepo), ("small", smallRepo) })
            {
                using var created = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest(name, repo, "main", null), KilnJsonContext.Default.CreateProjectRequest);
                await ExpectAsync(created, HttpStatusCode.Created);
            }

            await server.TriggerAsync("big");
            await server.TriggerAsync("small");

            // Oldest first, small's one job would wait behind big's four; shared fairly, the projects
            // take turns (the project's fair-share row is made with it).
            var projects = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                projects.Add((await LeaseAsync(agent)).Project);
            }

            Assert.Equal(["big", "small", "big", "big"], projects);
        }
        finally
        {
            DeleteRepo(bigRepo);
            DeleteRepo(smallRepo);
        }
    }

    [Fact]
    public async Task A_started_build_of_the_branch_is_not_superseded()
    {
        var repo = await CreateRepoAsync(KilnTestServer.TwoJobPipeline);
        try
        {
            await using var server = await StartAsync();
            var agent = await server.EnrollAgentAsync();
            using (var created = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest("app", repo, "main", null), KilnJsonContext.Default.CreateProjectRequest))
            {
                await ExpectAsync(created, HttpStatusCode.Created);
            }

            await server.TriggerAsync("app");
            await LeaseAsync(agent);
            await server.TriggerAsync("app");

            var started = await server.GetBuildAsync("app", 1);
            Assert.Equal("running", started.Status);
            Assert.Equal(("running", "waiting"), (started.Jobs[0].Status, started.Jobs[1].Status));
        }
        finally
        {
            DeleteRepo(repo);
        }
    }

    [Fact]
    public async Task Cancel_in_progress_cancels_the_running_holder_as_superseded_and_the_new_job_waits_for_the_group()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app", DeployPipeline);
        await server.TriggerAsync("app");
        var first = await LeaseAsync(agent);

        await server.TriggerAsync("app");

        var queue = await server.Admin.GetFromJsonAsync("api/v1/queue", KilnJsonContext.Default.ListQueuedJobResource);
        var waiting = Assert.Single(queue!);
        Assert.Equal((2, "concurrency group prod is busy (app#1)"), (waiting.Build, waiting.Reason));
        using (var beat = await agent.PostAsJsonAsync($"api/v1/agent/jobs/{first.JobId}/heartbeat", new Kiln.Contracts.AgentProtocol.HeartbeatRequest(first.LeaseToken), KilnJsonContext.Default.HeartbeatRequest))
        {
            await ExpectAsync(beat, HttpStatusCode.OK);
            Assert.True((await beat.Content.ReadFromJsonAsync(KilnJsonContext.Default.HeartbeatResponse))!.CancelRequested);
        }

        using (var done = await CompleteAsync(agent, first, "canceled"))
        {
            await ExpectAsync(done, HttpStatusCode.OK);
        }

        var old = await server.GetBuildAsync("app", 1);
        Assert.Equal(("canceled", "canceled", "superseded"), (old.Status, old.Jobs[0].Status, old.Jobs[0].FailureReason));
        var second = await LeaseAsync(agent);
        Assert.Equal((await server.GetBuildAsync("app", 2)).Jobs[0].Id, second.JobId);
    }

    [Fact]
    public async Task A_burst_of_pushes_in_the_cooldown_makes_one_build_that_starts_when_the_cooldown_ends()
    {
        var repo = await CreateRepoAsync(KilnTestServer.TwoJobPipeline);
        try
        {
            await using var server = await StartAsync();
            var agent = await server.EnrollAgentAsync();
            using (var created = await server.Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest("app", repo, "main", null, CooldownSeconds: 2), KilnJsonContext.Default.CreateProjectRequest))
            {
                await ExpectAsync(created, HttpStatusCode.Created);
            }

            for (var i = 0; i < 3; i++)
            {
                await PushAsync(server);
            }

            Assert.All([await server.GetBuildAsync("app", 1), await server.GetBuildAsync("app", 2)], b => Assert.Equal("canceled", b.Status));
            var queue = await server.Admin.GetFromJsonAsync("api/v1/queue", KilnJsonContext.Default.ListQueuedJobResource);
            var cooling = Assert.Single(queue!, j => j.Status == "queued");
            Assert.Equal(3, cooling.Build);
            Assert.StartsWith("cooldown until ", cooling.Reason, StringComparison.Ordinal);
            using (var none = await agent.PostAsJsonAsync("api/v1/agent/lease", new Kiln.Contracts.AgentProtocol.LeaseRequest(0), KilnJsonContext.Default.LeaseRequest))
            {
                await ExpectAsync(none, HttpStatusCode.NoContent);
            }

            // A long poll that began during the cooldown is handed the job once it is over.
            var lease = await LeaseAsync(agent, waitSeconds: 20);

            var build = await server.GetBuildAsync("app", 3);
            Assert.Equal(build.Jobs[0].Id, lease.JobId);
            Assert.True(build.Jobs[0].StartedAt >= build.CreatedAt.AddSeconds(2), $"started {build.Jobs[0].StartedAt:O}, created {build.CreatedAt:O}");
            Assert.True(build.Jobs[0].QueuedSeconds >= 2, $"queuedSeconds {build.Jobs[0].QueuedSeconds}");
        }
        finally
        {
            DeleteRepo(repo);
        }
    }

    [Fact]
    public async Task A_build_past_the_projects_running_limit_waits_with_the_reason()
    {
        await using var server = await StartAsync();
        var agent = await server.EnrollAgentAsync();
        await server.CreateTaskProjectAsync("app");
        using (var patched = await server.Admin.PatchAsync("api/v1/projects/app", JsonContent.Create(new { maxRunningBuilds = 1 })))
        {
            await ExpectAsync(patched, HttpStatusCode.OK);
        }

        await server.TriggerAsync("app");
        await server.TriggerAsync("app");
        var first = await LeaseAsync(agent);

        var queue = await server.Admin.GetFromJsonAsync("api/v1/queue", KilnJsonContext.Default.ListQueuedJobResource);
        var held = Assert.Single(queue!, j => j.Status == "queued");
        Assert.Equal((2, "project limit: 1 running build"), (held.Build, held.Reason));
        Assert.Equal((await server.GetBuildAsync("app", 1)).Jobs[0].Id, first.JobId);
    }

    private static async Task PushAsync(KilnTestServer server)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var trigger = scope.ServiceProvider.GetRequiredService<Kiln.Server.Builds.BuildTrigger>();
        var result = await trigger.TriggerAsync(new Kiln.Server.Builds.TriggerRequest("app", "main", new Dictionary<string, string>(), Kiln.Core.Triggers.TriggerEvent.Push, "test"), CancellationToken.None);
        Assert.NotNull(result.BuildId);
    }

    private static async Task TriggerRefAsync(KilnTestServer server, string reference)
    {
        using var response = await server.Admin.PostAsJsonAsync("api/v1/projects/app/builds", new CreateBuildRequest(reference, null), KilnJsonContext.Default.CreateBuildRequest);
        await ExpectAsync(response, HttpStatusCode.Created);
    }

    /// <summary>A git repository on <c>main</c> with one commit holding <c>.kiln.yml</c>.</summary>
    private static async Task<string> CreateRepoAsync(string pipeline)
    {
        var repo = Directory.CreateTempSubdirectory("kiln-server-repo-").FullName;
        await Git(repo, "init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(repo, ".kiln.yml"), pipeline);
        await Git(repo, "add", "-A");
        await Git(repo, "-c", "user.name=Kiln Test", "-c", "user.email=test@kiln.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "pipeline");
        return repo;
    }

    private static async Task Git(string repo, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}{await output}");
    }

    private static void DeleteRepo(string repo)
    {
        try
        {
            Directory.Delete(repo, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // git's read-only object files on some systems; harmless too.
        }
    }
}
