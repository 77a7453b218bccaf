using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

/// <summary>A step's plain <c>run</c> that a YAML comment cut mid-quote is valid, with a warning.</summary>
public sealed class CutByCommentTests
{
    private static PipelineParseResult Parse(string steps) =>
        PipelineParser.Parse("jobs:\n  build:\n    steps:\n" + steps);

    [Fact]
    public void A_double_quote_left_open_by_a_comment_is_a_warning_at_the_comment()
    {
        var result = Parse("      - name: compile\n        run: echo \"$GREETING from $KILN_PROJECT #$KILN_BUILD_NUMBER at $KILN_COMMIT\"\n");

        Assert.True(result.Success, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(
            ".kiln.yml:5:49: the command is cut here: ' #' starts a YAML comment, and what is left has an unclosed double quote (\"), which the shell will reject"
            + " (hint: quote the whole value, or write it as a block scalar after 'run: |')",
            warning.ToString());
        Assert.Equal("jobs.build.steps[0].run", warning.Key);

        // The warning does not change what runs: the value YAML gives.
        Assert.Equal("echo \"$GREETING from $KILN_PROJECT", result.Pipeline!.Jobs[0].Steps[0].Run);
    }

    [Fact]
    public void A_single_quote_left_open_in_the_short_form_of_a_step_is_a_warning()
    {
        var result = Parse("      - echo 'build #1 done'\n");

        Assert.True(result.Success, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((".kiln.yml", 4, 21, "jobs.build.steps[0]"), (warning.File, warning.Line, warning.Column, warning.Key));
        Assert.Contains("unclosed single quote (')", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("        run: 'echo \"build #1\"'\n")]
    [InlineData("        run: \"echo 'build #1'\"\n")]
    [InlineData("        run: |\n          echo \"build #1\"\n")]
    [InlineData("        run: >-\n          echo \"build #1\"\n")]
    [InlineData("        run: make test   # \"quoted\" in a comment is fine\n")]
    [InlineData("        run: echo \"done\" # it's a trailing comment\n")]
    [InlineData("        run: echo \"it's\" # the ' is inside double quotes\n")]
    [InlineData("        run: echo don\\'t # an escaped quote\n")]
    [InlineData("        run: echo \"no comment, no cut\n")]
    [InlineData("        run: echo a#b \"c\n")]
    public void No_warning_when_the_quotes_balance_or_nothing_was_cut(string step)
    {
        var result = Parse("      - name: s\n" + step);

        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Warnings_come_with_errors_and_once_for_a_template_used_by_several_jobs()
    {
        var result = PipelineParser.Parse("""
            templates:
              base:
                steps:
                  - run: echo "job #$KILN_JOB"
            jobs:
              a: { extends: base }
              b: { extends: base }
              c:
                stepz: []
            """);

        Assert.False(result.Success);
        Assert.NotEmpty(result.Errors);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((4, 24, "templates.base.steps[0].run"), (warning.Line, warning.Column, warning.Key));
    }

    [Fact]
    public void The_position_is_the_included_files_own()
    {
        var result = PipelineParser.Parse(
            "include: [ci/shared.yml]\njobs:\n  a: { extends: base }\n",
            includeResolver: path => path == "ci/shared.yml" ? "templates:\n  base:\n    steps:\n      - echo \"a #1\"\n" : null);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(("ci/shared.yml", 4, 17), (warning.File, warning.Line, warning.Column));
    }

    [Theory]
    [InlineData("echo \"a", '"')]
    [InlineData("echo 'a", '\'')]
    [InlineData("echo \"it's", '"')]
    [InlineData("echo \"a\" 'b", '\'')]
    [InlineData("echo \"a \\\" b", '"')]
    [InlineData("echo \"a\"", null)]
    [InlineData("echo 'a \\' b'", '\'')]
    [InlineData("echo 'a \\'", null)]
    [InlineData("echo a; # it's", null)]
    [InlineData("echo a#'b", '\'')]
    public void Finds_the_quote_a_shell_still_waits_for(string command, char? open) =>
        Assert.Equal(open, CutByComment.UnclosedQuote(command));
}
