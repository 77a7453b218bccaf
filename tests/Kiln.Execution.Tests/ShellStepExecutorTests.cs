using Kiln.Execution;

namespace Kiln.Execution.Tests;

public sealed class ShellStepExecutorTests
{
    private readonly StepHarness _harness = new();

    [Fact]
    public async Task Exit_zero_succeeds_with_the_output()
    {
        var sink = new CollectingSink();

        StepResult result = await _harness.RunAsync("echo hello\necho world", sink);

        Assert.Equal(new StepResult(StepOutcome.Succeeded, 0, null), result);
        Assert.Equal(["hello", "world"], sink.Texts);
    }

    [Fact]
    public async Task Non_zero_exit_fails_with_the_exit_code()
    {
        StepResult result = await _harness.RunAsync("echo before\nexit 3", new CollectingSink());

        Assert.Equal(new StepResult(StepOutcome.Failed, 3, null), result);
    }

    [Fact]
    public async Task Stdout_and_stderr_keep_their_order()
    {
        var sink = new CollectingSink();

        await _harness.RunAsync("echo a; echo b >&2; echo c; echo d >&2", sink);

        Assert.Equal(["a", "b", "c", "d"], sink.Texts);
    }

    [Fact]
    public async Task Environment_is_the_agents_plus_the_requests_plus_the_cookie()
    {
        var sink = new CollectingSink();
        var environment = new Dictionary<string, string> { ["KILN_TEST_VALUE"] = "with space=and equals" };

        StepResult result = await _harness.Executor.RunAsync(
            _harness.Request("echo \"$KILN_TEST_VALUE\"\necho \"$KILN_JOB_COOKIE\"\necho \"${PATH:+has-path}\"", environment: environment),
            sink,
            CancellationToken.None);

        Assert.Equal(StepOutcome.Succeeded, result.Outcome);
        Assert.Equal(["with space=and equals", _harness.Cookie, "has-path"], sink.Texts);
    }

    [Fact]
    public async Task The_agents_own_kiln_settings_do_not_reach_the_step()
    {
        // A bootstrap admin token in the agent's environment must not leak into user scripts.
        Environment.SetEnvironmentVariable("KILN_SECRET_FOR_TEST", "leaked");
        try
        {
            var sink = new CollectingSink();

            await _harness.RunAsync("echo \"${KILN_SECRET_FOR_TEST-unset}\"", sink);

            Assert.Equal(["unset"], sink.Texts);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KILN_SECRET_FOR_TEST", null);
        }
    }

    [Fact]
    public async Task Runs_in_the_working_directory()
    {
        string directory = Directory.CreateTempSubdirectory("kiln-wd-").FullName;
        try
        {
            var sink = new CollectingSink();

            await _harness.Executor.RunAsync(_harness.Request("pwd", directory: directory), sink, CancellationToken.None);

            Assert.Equal([directory], sink.Texts);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_working_directory_is_an_error()
    {
        StepResult result = await _harness.Executor.RunAsync(
            _harness.Request("true", directory: "/nonexistent/kiln"), new CollectingSink(), CancellationToken.None);

        Assert.Equal(StepOutcome.Error, result.Outcome);
        Assert.Contains("/nonexistent/kiln", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_shell_is_an_error()
    {
        var harness = new StepHarness();
        harness.Options.BashPath = "/nonexistent/bash";

        StepResult result = await harness.RunAsync("true", new CollectingSink());

        Assert.Equal(StepOutcome.Error, result.Outcome);
        Assert.NotNull(result.Message);
    }

    [Fact]
    public async Task Pipefail_fails_a_pipeline_whose_first_command_fails()
    {
        var sink = new CollectingSink();

        StepResult result = await _harness.RunAsync("false | true\necho after", sink);

        Assert.Equal(new StepResult(StepOutcome.Failed, 1, null), result);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public async Task A_failing_command_stops_the_script()
    {
        var sink = new CollectingSink();

        StepResult result = await _harness.RunAsync("echo one\nsh -c 'exit 7'\necho two", sink);

        Assert.Equal(new StepResult(StepOutcome.Failed, 7, null), result);
        Assert.Equal(["one"], sink.Texts);
    }

    [Fact]
    public async Task Step_leads_its_own_session_and_process_group_with_stdin_from_dev_null()
    {
        var sink = new CollectingSink();

        await _harness.RunAsync("echo $$\ncut -d' ' -f5,6 /proc/$$/stat\nreadlink /proc/$$/fd/0", sink);

        string pid = _harness.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([pid, $"{pid} {pid}", "/dev/null"], sink.Texts);
    }

    [Fact]
    public async Task The_script_file_is_removed_afterwards()
    {
        string temp = Directory.CreateTempSubdirectory("kiln-tmp-").FullName;
        try
        {
            var harness = new StepHarness(temp);
            var sink = new CollectingSink();

            await harness.RunAsync("echo \"$0\"", sink);

            Assert.StartsWith(temp, sink.Texts.Single(), StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_sink_stops_the_step_with_an_error()
    {
        StepResult result = await _harness.RunAsync("echo first\nsleep 30", new FailingSink()).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StepOutcome.Error, result.Outcome);
        Assert.Contains("log store is down", result.Message, StringComparison.Ordinal);
        Assert.Empty(await ProcFs.MembersOfKilledGroupAsync(_harness.ProcessId));
    }
}
