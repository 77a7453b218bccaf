using System.Net.Http.Json;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>A project's queue settings through the real <c>kiln</c> CLI and server: added, shown, updated
/// one flag at a time, the limit removed with <c>none</c>, and bad values refused with exit code 2.</summary>
public sealed class ProjectSettingsTests
{
    [Fact]
    public async Task Project_add_update_and_show_carry_the_queue_settings()
    {
        await using var server = await KilnServerProcess.StartNewAsync(agents: 0);
        var pipeline = server.ScratchPath("tasks.kiln.yml");
        await File.WriteAllTextAsync(pipeline, "jobs:\n  report:\n    steps:\n      - run: echo report\n");

        Expect.ExitCode(0, await server.RunCliAsync("project", "add", "tasks", "--pipeline", pipeline, "--cooldown-seconds", "30", "--weight", "2"), server);
        var shown = await server.RunCliAsync("project", "show", "tasks");
        Expect.ExitCode(0, shown, server);
        Assert.Matches(@"Cooldown\s+30 s", shown.Stdout);
        Assert.Matches(@"Max running builds\s+no limit", shown.Stdout);
        Assert.Matches(@"Weight\s+2\s", shown.Stdout);

        var updated = await server.RunCliAsync("project", "update", "tasks", "--max-running-builds", "3", "--default-branch", "trunk");
        Expect.ExitCode(0, updated, server);
        Assert.Contains("Updated project tasks.", updated.Stdout, StringComparison.Ordinal);
        shown = await server.RunCliAsync("project", "show", "tasks");
        Assert.Matches(@"Max running builds\s+3\s", shown.Stdout);
        Assert.Matches(@"Default branch\s+trunk\s", shown.Stdout);
        Assert.Matches(@"Cooldown\s+30 s", shown.Stdout);
        Assert.Matches(@"Weight\s+2\s", shown.Stdout);

        var json = await server.RunCliAsync("project", "update", "tasks", "--max-running-builds", "none", "--cooldown-seconds", "0", "--json");
        Expect.ExitCode(0, json, server);
        using (var patched = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(JsonValueKind.Null, patched.RootElement.GetProperty("maxRunningBuilds").ValueKind);
            Assert.Equal(0, patched.RootElement.GetProperty("cooldownSeconds").GetInt32());
            Assert.Equal(2, patched.RootElement.GetProperty("weight").GetInt32());
        }

        var project = (await server.Http.GetFromJsonAsync("api/v1/projects/tasks", KilnJsonContext.Default.ProjectResource))!;
        Assert.Equal(("trunk", 0, (int?)null, 2), (project.DefaultBranch, project.CooldownSeconds, project.MaxRunningBuilds, project.Weight));
    }

    [Fact]
    public async Task A_bad_setting_exits_2_with_a_message_naming_it_and_changes_nothing()
    {
        await using var server = await KilnServerProcess.StartNewAsync(agents: 0);
        await server.Api.CreateTaskProjectAsync("tasks", "jobs:\n  report:\n    steps:\n      - run: echo report\n");

        var outOfRange = await server.RunCliAsync("project", "update", "tasks", "--weight", "0");
        var notANumber = await server.RunCliAsync("project", "update", "tasks", "--max-running-builds", "lots");
        var nothing = await server.RunCliAsync("project", "update", "tasks");
        var missing = await server.RunCliAsync("project", "update", "ghost", "--weight", "2");

        Expect.ExitCode(2, outOfRange, server);
        Assert.Equal("kiln: 'weight' must be 1 to 100; got 0.", outOfRange.Stderr.Trim());
        Expect.ExitCode(2, notANumber, server);
        Assert.Contains("--max-running-builds must be a whole number or 'none'; got 'lots'", notANumber.Stderr, StringComparison.Ordinal);
        Expect.ExitCode(2, nothing, server);
        Assert.Contains("--weight", nothing.Stderr, StringComparison.Ordinal);
        Expect.ExitCode(4, missing, server);
        var project = (await server.Http.GetFromJsonAsync("api/v1/projects/tasks", KilnJsonContext.Default.ProjectResource))!;
        Assert.Equal((0, (int?)null, 1), (project.CooldownSeconds, project.MaxRunningBuilds, project.Weight));
    }
}
