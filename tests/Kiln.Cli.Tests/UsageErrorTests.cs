namespace Kiln.Cli.Tests;

/// <summary>Mistakes the CLI catches itself, before (or instead of) asking the server: exit 2.
/// The server given is unreachable, so a command that called it anyway would exit 3 instead.</summary>
public sealed class UsageErrorTests
{
    [Fact]
    public async Task An_unknown_command_exits_2_naming_it_on_stderr()
    {
        var result = await Cli.RunAsync("frobnicate");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("frobnicate", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("kiln: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("project", "build")]
    [InlineData("build", "logs")]
    [InlineData("name", "project", "show")]
    public async Task A_missing_argument_exits_2_naming_it_on_stderr(string missing, params string[] args)
    {
        var result = await Cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("kiln: ", result.Error, StringComparison.Ordinal);
        Assert.Contains($"'{missing}' missing", result.Error, StringComparison.Ordinal);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_without_a_value_exits_2()
    {
        var result = await Cli.RunAsync("build", "app", "--input", "novalue");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--input 'novalue' must be NAME=VALUE", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_input_with_an_empty_name_exits_2()
    {
        var result = await Cli.RunAsync("build", "app", "--input", "=x");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("'=x'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_project_whose_local_repository_does_not_exist_exits_2_naming_the_path()
    {
        var result = await Cli.RunAsync("project", "add", "x", "--repo", "/does/not/exist");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("'/does/not/exist'", result.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_project_whose_pipeline_file_does_not_exist_exits_2_naming_the_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), "kiln-cli-tests-" + Guid.NewGuid().ToString("N"), "tasks.yml");

        var result = await Cli.RunAsync("project", "add", "x", "--pipeline", missing);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(missing, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updating_a_project_without_a_flag_exits_2_listing_the_flags()
    {
        var result = await Cli.RunAsync("project", "update", "app");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("nothing to change", result.Error, StringComparison.Ordinal);
        foreach (var flag in new[] { "--cooldown-seconds", "--max-running-builds", "--weight", "--default-branch" })
        {
            Assert.Contains(flag, result.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--weight", "heavy", "--weight must be a whole number; got 'heavy'")]
    [InlineData("--cooldown-seconds", "1m", "--cooldown-seconds must be a whole number; got '1m'")]
    [InlineData("--max-running-builds", "lots", "--max-running-builds must be a whole number or 'none'; got 'lots'")]
    public async Task A_setting_that_is_not_a_number_exits_2_naming_the_flag(string flag, string value, string message)
    {
        var result = await Cli.RunAsync("project", "update", "app", flag, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("logs", "app")]
    [InlineData("logs", "app#0")]
    [InlineData("status", "app#x")]
    [InlineData("cancel", "app")]
    public async Task A_build_reference_without_a_valid_number_exits_2(params string[] args)
    {
        var result = await Cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("PROJECT#NUMBER", result.Error, StringComparison.Ordinal);
    }
}
