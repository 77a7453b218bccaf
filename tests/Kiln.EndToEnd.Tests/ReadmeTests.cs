using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Kiln.Contracts;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>
/// README.md's "Five-minute tutorial" and "More machines" commands, read from README.md at test time
/// and run as written with bash against a real server, so the README cannot break unnoticed. The few
/// lines that cannot run in a test are replaced, each listed in <see cref="Substitutions"/>; the
/// test fails when one of them is no longer in the README word for word.
/// </summary>
public sealed partial class ReadmeTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_tutorial_and_the_more_machines_commands_run_as_written()
    {
        var tutorial = Readme.Section("Five-minute tutorial");
        var moreMachines = Readme.Section("More machines");
        var commands = Readme.Blocks(tutorial, "sh").Concat(Readme.Blocks(moreMachines, "sh")).SelectMany(Readme.Commands).ToList();
        await using var server = await KilnServerProcess.StartNewAsync();
        var root = Directory.CreateTempSubdirectory("kiln-e2e-readme-").FullName;
        try
        {
            var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
            var bin = WriteKilnOnPath(root);

            // Where the README's `kiln server &` would have put its data folder: the harness's server's.
            File.CreateSymbolicLink(Path.Combine(work, "kiln-data"), server.DataDir);
            var substitutions = Substitutions(bin, server.Url);
            foreach (var substitution in substitutions)
            {
                Assert.Contains(substitution.Line, tutorial.Concat(moreMachines));
            }

            var results = await ReadmeScript.RunAsync(commands, substitutions, work, Environment(root), ScriptTimeout);
            var transcript = ReadmeScript.Transcript(results) + Expect.ServerTail(server);
            ReadmeCommandResult Ran(string command, int occurrence = 0) =>
                results.Where(r => r.Command.Command == command).ElementAtOrDefault(occurrence)
                ?? throw new InvalidOperationException($"README.md has no command '{command}' (occurrence {occurrence}).\n{transcript}");
            void Succeeded(ReadmeCommandResult r) => Assert.True(r.ExitCode == 0, $"'{r.Ran}' exited with {r.ExitCode}.\n{transcript}");

            foreach (var setup in results.Where(r => r.Command.Command.StartsWith("git ", StringComparison.Ordinal) || r.Command.Command.StartsWith("mkdir ", StringComparison.Ordinal) || r.Command.Command.StartsWith("cat ", StringComparison.Ordinal)
                || r.Command.Command.StartsWith("export ", StringComparison.Ordinal) || r.Command.Command.StartsWith("sed ", StringComparison.Ordinal)))
            {
                Succeeded(setup);
            }

            // kiln validate prints what the README's comment says, and nothing else (no warning either).
            var validate = Ran("kiln validate");
            Succeeded(validate);
            Assert.Equal(new[] { validate.Command.Comment! }, validate.Lines);

            Succeeded(Ran("kiln project add hello --repo ./hello"));
            var first = await server.Api.GetBuildAsync("hello", 1);
            Assert.True(first.Status == "succeeded", transcript);
            var wait = Ran("kiln build hello --wait");
            Succeeded(wait);
            Assert.Contains($"[build] hello from hello #1 at {first.Commit}", wait.Lines);
            Assert.Contains($"hello from hello #1 at {first.Commit}", await server.Api.GetLogAsync("hello", 1, "build"), StringComparison.Ordinal);

            Succeeded(Ran("kiln status hello"));
            Assert.Contains("succeeded", Ran("kiln status hello").Output, StringComparison.Ordinal);
            Succeeded(Ran("kiln status hello#1"));
            Assert.StartsWith("hello#1 succeeded", Ran("kiln status hello#1").Output, StringComparison.Ordinal);
            var testLog = Ran("kiln logs hello#1 --job test");
            Succeeded(testLog);
            Assert.Contains("test 1", testLog.Lines);
            Assert.Contains("test 10", testLog.Lines);

            // The long build: started without waiting, followed until "Ctrl-C", then canceled while it runs.
            var started = Ran("kiln build hello");
            Succeeded(started);
            Assert.Contains("hello#2", started.Lines);
            var followed = Ran("kiln logs hello#2 --follow");
            Assert.Contains("[test] test 1", followed.Lines);
            Assert.DoesNotContain("[test] test 10", followed.Lines);
            var cancel = Ran("kiln cancel hello#2");
            Succeeded(cancel);
            Assert.Equal(new[] { cancel.Command.Comment! }, cancel.Lines);
            var canceled = await server.Api.WaitForFinishedAsync("hello", 2, TimeSpan.FromSeconds(60));
            Assert.True(canceled.Status == "canceled", transcript);
            Assert.Equal("canceled", canceled.Jobs.Single(j => j.Name == "test").Status);

            // The broken pipeline: exit 2 and the very lines the README shows.
            var broken = Ran("kiln build hello", occurrence: 1);
            Assert.True(broken.ExitCode == 2, $"'{broken.Ran}' exited with {broken.ExitCode}, not 2.\n{transcript}");
            var shown = Readme.Blocks(tutorial, "text").Single(b => b[0] == "$ kiln build hello");
            Assert.Equal(shown.Skip(1), broken.Lines);
            Assert.Equal("error", (await server.Api.GetBuildAsync("hello", 3)).Status);

            // More machines: the registration token from `tail -1` registered an agent with its label.
            var agent = Ran(AgentLine);
            Assert.True(agent.Output.Contains("ready with labels gpu,", StringComparison.Ordinal), transcript);
            Assert.True(File.Exists(Path.Combine(work, "kiln-agent", "agent.json")), transcript);
            var agents = await server.Http.GetFromJsonAsync("api/v1/agents", KilnJsonContext.Default.ListAgentResource);
            var remote = Assert.Single(agents!, a => a.Labels.Contains("gpu"));
            var listed = Ran("kiln agents");
            Succeeded(listed);
            Assert.Contains($"#{remote.Id}", listed.Output, StringComparison.Ordinal);
            Assert.Contains($"#{agents!.Single(a => a.Labels.Contains("local")).Id}", listed.Output, StringComparison.Ordinal);
            var queue = Ran("kiln status --queue");
            Succeeded(queue);
            Assert.Contains("Reason", queue.Output, StringComparison.Ordinal);

            var update = Ran("kiln project update hello --weight 3 --max-running-builds 2 --cooldown-seconds 60");
            Succeeded(update);
            Assert.Equal("Updated project hello.", update.Lines[0]);
            var project = await server.Http.GetFromJsonAsync("api/v1/projects/hello", KilnJsonContext.Default.ProjectResource);
            Assert.Equal((3, (int?)2, 60), (project!.Weight, project.MaxRunningBuilds, project.CooldownSeconds));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_warning_the_tutorial_mentions_is_what_validate_prints_for_the_one_line_command()
    {
        var tutorial = Readme.Section("Five-minute tutorial");
        var heredoc = Readme.Blocks(tutorial, "sh").SelectMany(Readme.Commands).Single(c => c.Command.StartsWith("cat > .kiln.yml", StringComparison.Ordinal));
        var pipeline = string.Join('\n', heredoc.Text.Split('\n')[1..^1]) + "\n";

        // The compile step as the README says not to write it: on one line, unquoted.
        var oneLine = OneLineRun().Replace(pipeline, "run: ${command}", 1);
        Assert.NotEqual(pipeline, oneLine);
        var quoted = Assert.Single(QuotedWarning().Matches(string.Join('\n', tutorial))).Groups["text"].Value;
        var root = Directory.CreateTempSubdirectory("kiln-e2e-readme-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, ".kiln.yml"), oneLine);

            var result = await ProcessRunner.RunAsync(KilnExecutable.FileName, KilnExecutable.Arguments(["validate"]), TimeSpan.FromMinutes(1), root);

            Assert.True(result.ExitCode == 0, result.Output);
            var line = oneLine.Split('\n').ToList().FindIndex(l => l.Contains("run: echo", StringComparison.Ordinal)) + 1;
            var column = oneLine.Split('\n')[line - 1].IndexOf(" #", StringComparison.Ordinal) + 2;
            Assert.Contains($".kiln.yml:{line}:{column}: {quoted}", result.Stdout, StringComparison.Ordinal);
            Assert.Contains(".kiln.yml is valid: 2 jobs (build, test); 1 warning.", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private const string AgentLine = """kiln agent --server http://ci.internal:8080 --token "$(kiln token create --agent | tail -1)" --labels gpu""";

    /// <summary>The README lines that cannot run here, each replaced by the least that can.</summary>
    private static List<ReadmeSubstitution> Substitutions(string bin, string url) =>
    [
        new("dotnet build src/Kiln.Cli -c Release", "true", "the test project has built kiln already"),
        new("export PATH=\"$PWD/src/Kiln.Cli/bin/Release/net10.0:$PATH\"", $"export PATH=\"{bin}:$PATH\"", "the built kiln, wherever this build put it"),
        new("kiln server &            # or keep it running in another terminal", $"export KILN_SERVER={url}",
            "the harness runs the server on a free port; kiln-data is a link to its data folder"),
        new("kiln logs hello#2 --follow       # Ctrl-C stops following, not the build",
            "set -m; kiln logs hello#2 --follow > follow.out & for _ in $(seq 600); do grep -qx '\\[test\\] test 1' follow.out && break; sleep 0.1; done; "
            + "kill -INT $!; wait $!; set +m; cat follow.out",
            "Ctrl-C, as SIGINT once the test job has printed its first line"),
        new(AgentLine, AgentLine.Replace("http://ci.internal:8080", "\"$KILN_SERVER\"", StringComparison.Ordinal) + " > agent.out &"
            + " for _ in $(seq 600); do grep -q 'ready with labels' agent.out && break; sleep 0.1; done; cat agent.out",
            "the other machine is this one, and the agent runs in the background until the script ends"),
    ];

    /// <summary>A shell in a clean setting: git with an identity and no user config, no login file of kiln.</summary>
    private static Dictionary<string, string?> Environment(string root) => new()
    {
        ["GIT_CONFIG_GLOBAL"] = "/dev/null",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["GIT_AUTHOR_NAME"] = "Readme Reader",
        ["GIT_AUTHOR_EMAIL"] = "reader@kiln.invalid",
        ["GIT_COMMITTER_NAME"] = "Readme Reader",
        ["GIT_COMMITTER_EMAIL"] = "reader@kiln.invalid",
        ["XDG_CONFIG_HOME"] = Path.Combine(root, "config"),
    };

    /// <summary>A <c>kiln</c> on PATH that starts the executable this test run uses.</summary>
    private static string WriteKilnOnPath(string root)
    {
        var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        var kiln = Path.Combine(bin, "kiln");
        var start = string.Join(' ', new[] { KilnExecutable.FileName }.Concat(KilnExecutable.PrefixArguments).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        File.WriteAllText(kiln, $"#!/bin/sh\nexec {start} \"$@\"\n");
        File.SetUnixFileMode(kiln, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    [GeneratedRegex(@"run: \|\n\s+(?<command>echo .*)")]
    private static partial Regex OneLineRun();

    /// <summary>The warning the tutorial quotes: <c>(`warning: …`)</c>, up to its ellipsis.</summary>
    [GeneratedRegex(@"`(?<text>warning: [^`]+?) …`")]
    private static partial Regex QuotedWarning();
}
