using Kiln.Execution;

namespace Kiln.Execution.Tests;

public sealed class ShellCommandTests
{
    private readonly StepHarness _harness = new();

    [Theory]
    [InlineData("sh", "echo from sh; false; echo not reached", StepOutcome.Failed, "from sh")]
    [InlineData("python3", "import sys\nprint('from python', sys.version_info[0])", StepOutcome.Succeeded, "from python 3")]
    [InlineData("cat {0}", "echo ignored", StepOutcome.Succeeded, "echo ignored")]
    public async Task Runs_the_script_with_the_named_shell(string shell, string script, StepOutcome outcome, string firstLine)
    {
        var sink = new CollectingSink();

        var result = await _harness.Executor.RunAsync(_harness.Request(script) with { Shell = shell }, sink, CancellationToken.None);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(firstLine, sink.Texts[0]);
    }

    [Fact]
    public async Task Bash_is_the_default_with_pipefail()
    {
        var sink = new CollectingSink();

        var result = await _harness.Executor.RunAsync(_harness.Request("false | true\necho not reached"), sink, CancellationToken.None);

        Assert.Equal(StepOutcome.Failed, result.Outcome);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public async Task An_unknown_shell_is_an_error_not_a_crash()
    {
        var result = await _harness.Executor.RunAsync(_harness.Request("echo hi") with { Shell = "fish" }, new CollectingSink(), CancellationToken.None);

        Assert.Equal(StepOutcome.Error, result.Outcome);
        Assert.Contains("fish", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pwsh_gets_a_ps1_file()
    {
        var command = ShellCommand.For("pwsh", "/bin/bash", "/tmp/x/step.ps1");

        Assert.Equal("step.ps1", command.ScriptFileName);
        Assert.Equal(["pwsh", "-NoProfile", "-NonInteractive", "-File", "/tmp/x/step.ps1"], command.Arguments);
    }
}
