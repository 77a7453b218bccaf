using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>A real <c>kiln server</c> that lacks what it needs says so at start: an unwritable data folder
/// stops it with one line on stderr naming the folder and the setting, and a missing git is a warning
/// while task-only projects still work.</summary>
public sealed class ServerStartupTests
{
    [Fact]
    public async Task A_data_folder_that_cannot_be_made_stops_the_server_with_one_line_naming_it()
    {
        // Tests run as root, who can write anywhere; but no one can make a folder under a regular file.
        var root = Directory.CreateTempSubdirectory("kiln-e2e-startup-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, "file"), "not a folder");
            var data = Path.Combine(root, "file", "data");

            var result = await ProcessRunner.RunAsync(
                KilnExecutable.FileName,
                KilnExecutable.Arguments(["server", "--data", data, "--urls", "http://127.0.0.1:0", "--agents", "0"]),
                TimeSpan.FromMinutes(1),
                root);

            Assert.True(result.ExitCode == 2, result.Output);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"kiln: the data folder '{data}' cannot be created: '{Path.Combine(root, "file")}' is a file, not a folder; ", line, StringComparison.Ordinal);
            Assert.EndsWith("set --data (or KILN_DATA) to a folder the server can write.", line, StringComparison.Ordinal);
            Assert.DoesNotContain("listening", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Without_git_the_server_warns_at_start_refuses_repository_projects_and_runs_task_only_ones()
    {
        const string noGit = "kiln-e2e-no-such-git";
        using var repo = await GitRepo.CreateAsync();
        repo.WriteFile(".kiln.yml", "jobs:\n  build:\n    steps:\n      - run: echo built\n");
        await repo.CommitAsync("pipeline");
        await using var server = await KilnServerProcess.StartNewAsync(new Dictionary<string, string> { ["KILN_GIT"] = noGit });
        var tasks = server.ScratchPath("tasks.kiln.yml");
        await File.WriteAllTextAsync(tasks, "jobs:\n  report:\n    steps:\n      - run: echo task-ran\n");

        var added = await server.RunCliAsync("project", "add", "app", "--repo", repo.Path);
        Expect.ExitCode(0, await server.RunCliAsync("project", "add", "tasks", "--pipeline", tasks), server);
        var build = await server.RunCliAsync("build", "tasks", "--wait");

        Assert.Contains($"kiln: warning: git is not installed on the server ('{noGit}' not found on PATH). Task-only projects still work.", server.Output, StringComparison.Ordinal);
        Expect.ExitCode(3, added, server);
        Assert.Contains($"kiln: git is not installed on the server ('{noGit}' not found on PATH).", added.Stderr, StringComparison.Ordinal);
        Expect.ExitCode(0, build, server);
        Assert.Contains("task-ran", build.Stdout, StringComparison.Ordinal);
    }
}
