using System.Text.Json;
using Kiln.Contracts;

namespace Kiln.Cli.Tests;

/// <summary><c>kiln validate</c>: no server; warnings are printed but leave the exit code at 0.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private const string CutCommand = "jobs:\n  build:\n    steps:\n      - run: echo \"build #$KILN_BUILD_NUMBER\"\n";

    private readonly string dir = Directory.CreateTempSubdirectory("kiln-validate-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task A_command_cut_by_a_comment_is_a_warning_with_its_position_and_the_file_stays_valid()
    {
        var file = Write(CutCommand);

        var result = await Cli.RunAsync("validate", file);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.EndsWith(
            ".kiln.yml:4:26: warning: the command is cut here: ' #' starts a YAML comment, and what is left has an unclosed double quote (\"), which the shell will reject"
            + " (hint: quote the whole value, or write it as a block scalar after 'run: |') [at jobs.build.steps[0].run]",
            lines[0],
            StringComparison.Ordinal);
        Assert.Equal(".kiln.yml is valid: 1 job (build); 1 warning.", lines[1]);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Json_output_carries_the_warnings_and_exit_0()
    {
        var file = Write(CutCommand);

        var result = await Cli.RunAsync("validate", file, "--json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var response = JsonSerializer.Deserialize(result.Out, KilnJsonContext.Default.ValidateResponse)!;
        Assert.True(response.Valid);
        Assert.Empty(response.Errors);
        var warning = Assert.Single(response.Warnings);
        Assert.Equal((4, 26, "jobs.build.steps[0].run"), (warning.Line, warning.Column, warning.Key));
        Assert.Contains("\"warnings\":[{", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_are_printed_after_the_errors_and_counted_with_them()
    {
        var file = Write(CutCommand + "  test:\n    needs: [biuld]\n    steps: [\"true\"]\n");

        var result = await Cli.RunAsync("validate", file);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.Contains("job 'test' needs 'biuld'", lines[0], StringComparison.Ordinal);
        Assert.Contains(":4:26: warning: the command is cut here", lines[1], StringComparison.Ordinal);
        Assert.Equal("kiln: 1 problem and 1 warning in .kiln.yml.\n", result.Error);
    }

    [Fact]
    public async Task A_quoted_command_gets_no_warning()
    {
        var file = Write("jobs:\n  build:\n    steps:\n      - run: 'echo \"build #$KILN_BUILD_NUMBER\"'\n");

        var result = await Cli.RunAsync("validate", file);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(".kiln.yml is valid: 1 job (build).\n", result.Out);
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(dir, ".kiln.yml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
