using Kiln.Execution;

namespace Kiln.Execution.Tests;

/// <summary>What starting the shell directly with posix_spawn must get right that a launcher program did before.</summary>
public sealed class StepSpawnTests
{
    private readonly StepHarness _harness = new();

    [Theory]
    [InlineData("exit 0", StepOutcome.Succeeded, 0)]
    [InlineData("exit 1", StepOutcome.Failed, 1)]
    [InlineData("exit 255", StepOutcome.Failed, 255)]
    public async Task The_exit_status_is_the_shells(string script, StepOutcome outcome, int exitCode)
    {
        StepResult result = await _harness.RunAsync(script, new CollectingSink());

        Assert.Equal(new StepResult(outcome, exitCode, null), result);
    }

    [Fact]
    public async Task A_shell_killed_by_a_signal_fails_with_128_plus_the_signal()
    {
        StepResult result = await _harness.RunAsync("kill -TERM $$\nsleep 5", new CollectingSink());

        Assert.Equal(new StepResult(StepOutcome.Failed, 128 + 15, null), result);
    }

    [Fact]
    public async Task The_step_starts_with_no_signal_ignored_or_blocked()
    {
        // The .NET runtime ignores SIGPIPE; a step must not inherit that (`yes | head` would never end).
        var sink = new CollectingSink();

        await _harness.RunAsync("grep -E '^Sig(Blk|Ign):' /proc/self/status | cut -f2", sink);

        // The standard signals 1-31 are the low 31 bits (glibc keeps the real-time signals 32 and 33 for itself).
        Assert.Equal(2, sink.Texts.Count);
        Assert.All(sink.Texts, mask => Assert.Equal(0UL, ulong.Parse(mask, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 0x7FFF_FFFFUL));
    }

    [Fact]
    public async Task A_writer_to_a_closed_pipe_dies_of_SIGPIPE()
    {
        var sink = new CollectingSink();

        StepResult result = await _harness.RunAsync("set +o pipefail\nyes | head -n 1\nyes | head -n 1 >/dev/null; echo \"${PIPESTATUS[0]}\"", sink);

        Assert.Equal(new StepResult(StepOutcome.Succeeded, 0, null), result);
        Assert.Equal(["y", "141"], sink.Texts);
    }

    [Fact]
    public async Task A_shell_named_without_a_path_is_found_on_the_PATH()
    {
        var sink = new CollectingSink();

        StepResult result = await _harness.Executor.RunAsync(
            _harness.Request("echo from sh") with { Shell = "sh -e {0}" }, sink, CancellationToken.None);

        Assert.Equal(new StepResult(StepOutcome.Succeeded, 0, null), result);
        Assert.Equal(["from sh"], sink.Texts);
    }

    [Fact]
    public async Task The_output_pipe_reaches_the_step_only_as_stdout_and_stderr()
    {
        var sink = new CollectingSink();

        // Its read end, or a second copy of its write end, would keep the step's output open after it ended.
        await _harness.RunAsync(
            "out=$(readlink /proc/$$/fd/1)\nfor f in /proc/$$/fd/*; do [ \"$(readlink \"$f\")\" != \"$out\" ] || echo \"${f##*/}\"; done",
            sink);

        Assert.Equal(["1", "2"], sink.Texts);
    }

    [Fact]
    public async Task Each_step_is_reaped_so_no_zombie_is_left()
    {
        for (int i = 0; i < 3; i++)
        {
            await _harness.RunAsync("true", new CollectingSink());
            int pid = _harness.ProcessId;

            Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Runs_in_a_working_directory_with_spaces_in_its_name()
    {
        string directory = Directory.CreateTempSubdirectory("kiln spawn ").FullName;
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
}
