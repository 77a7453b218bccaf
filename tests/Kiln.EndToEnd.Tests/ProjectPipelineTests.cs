using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary><c>kiln project update NAME --pipeline FILE</c> through the real CLI, server and agent: the
/// next build runs the new pipeline's step, and an invalid file exits 2 with its errors and changes nothing.</summary>
public sealed class ProjectPipelineTests
{
    [Fact]
    public async Task Updating_a_task_projects_pipeline_makes_the_next_build_run_the_new_step()
    {
        await using var server = await KilnServerProcess.StartNewAsync();
        var marker = "deployed-" + Guid.NewGuid().ToString("N");
        var first = server.ScratchPath("first.kiln.yml");
        var second = server.ScratchPath("second.kiln.yml");
        var invalid = server.ScratchPath("invalid.kiln.yml");
        await File.WriteAllTextAsync(first, "jobs:\n  report:\n    steps:\n      - run: echo old-step\n");
        await File.WriteAllTextAsync(second, $"jobs:\n  deploy:\n    steps:\n      - run: echo {marker}\n");
        await File.WriteAllTextAsync(invalid, "jobs:\n  deploy:\n    stpes:\n      - run: echo never\n");
        Expect.ExitCode(0, await server.RunCliAsync("project", "add", "tasks", "--pipeline", first), server);

        var updated = await server.RunCliAsync("project", "update", "tasks", "--pipeline", second);
        var refused = await server.RunCliAsync("project", "update", "tasks", "--pipeline", invalid);
        var build = await server.RunCliAsync("build", "tasks", "--wait");

        Expect.ExitCode(0, updated, server);
        Expect.ExitCode(2, refused, server);
        Assert.Contains("The pipeline is not valid.", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("pipeline:3:5: ", refused.Stderr, StringComparison.Ordinal);
        Expect.ExitCode(0, build, server);
        Assert.Contains(marker, build.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("old-step", build.Stdout, StringComparison.Ordinal);
        var done = await server.Api.GetBuildAsync("tasks", 1);
        Assert.Equal(("succeeded", "deploy"), (done.Status, Assert.Single(done.Jobs).Name));
    }
}
