using Kiln.Core.Triggers;
using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class TriggerTests
{
    [Theory]
    [InlineData("main", "main", true)]
    [InlineData("main", "mainx", false)]
    [InlineData("release/*", "release/1.0", true)]
    [InlineData("release/*", "release/1/hotfix", false)]
    [InlineData("release/**", "release/1/hotfix", true)]
    [InlineData("release/**", "release", false)]
    [InlineData("**", "a/b/c", true)]
    [InlineData("*", "a/b", false)]
    [InlineData("v?.*", "v1.2", true)]
    [InlineData("v?.*", "v10.2", false)]
    [InlineData("src/**/*.cs", "src/a.cs", true)]
    [InlineData("src/**/*.cs", "src/x/y/a.cs", true)]
    [InlineData("src/**/*.cs", "src/x/a.txt", false)]
    [InlineData("**/*.md", "README.md", true)]
    [InlineData("**/*.md", "docs/a/b.md", true)]
    [InlineData("*.md", "docs/b.md", false)]
    [InlineData("feat-**", "feat-a/b", true)]
    [InlineData("Main", "main", false)]
    [InlineData("", "", true)]
    [InlineData("a***b", "a/x/b", true)]
    public void Glob_matching(string pattern, string text, bool matches) =>
        Assert.Equal(matches, Glob.IsMatch(pattern, text));

    [Fact]
    public void Default_allows_pushes_manual_and_api()
    {
        var d = TriggerSettings.Default;

        Assert.True(d.Allows(TriggerEvent.Push, "any/branch", null));
        Assert.True(d.Allows(TriggerEvent.Manual, null, null));
        Assert.True(d.Allows(TriggerEvent.Api, null, null));
        Assert.False(d.Allows(TriggerEvent.PullRequest, "main", null));
        Assert.False(d.Allows(TriggerEvent.Tag, null, "v1"));
        Assert.False(d.Allows(TriggerEvent.Schedule, null, null));
    }

    [Fact]
    public void Allows_follows_the_filters()
    {
        var on = new TriggerSettings
        {
            PushBranches = ["main", "release/*"],
            PullRequestBranches = [],
            Tags = ["v*"],
            Schedules = ["0 3 * * *"],
        };

        Assert.True(on.Allows(TriggerEvent.Push, "release/2", null));
        Assert.False(on.Allows(TriggerEvent.Push, "release/2/x", null));
        Assert.False(on.Allows(TriggerEvent.Push, null, null));
        Assert.True(on.Allows(TriggerEvent.PullRequest, "anything", null));
        Assert.True(on.Allows(TriggerEvent.PullRequest, null, null));
        Assert.True(on.Allows(TriggerEvent.Tag, null, "v1.0"));
        Assert.False(on.Allows(TriggerEvent.Tag, null, "1.0"));
        Assert.False(on.Allows(TriggerEvent.Tag, null, null));
        Assert.True(on.Allows(TriggerEvent.Schedule, null, null));
        Assert.False(on.Allows(TriggerEvent.Manual, null, null));
        Assert.False(on.Allows(TriggerEvent.Api, null, null));
    }

    [Fact]
    public void A_parsed_on_list_allows_only_what_it_lists()
    {
        var on = PipelineModelTests.Parse("on: [pull_request]\njobs:\n  a: { steps: [x] }\n").On;

        Assert.True(on.Allows(TriggerEvent.PullRequest, "main", null));
        Assert.False(on.Allows(TriggerEvent.Push, "main", null));
        Assert.False(on.Allows(TriggerEvent.Manual, null, null));
    }

    [Theory]
    [InlineData("0 3 * * *", "0 3 * * *")]
    [InlineData("  */15   9-17 * * 1-5 ", "*/15 9-17 * * 1-5")]
    [InlineData("0 0 1,15 * *", "0 0 1,15 * *")]
    [InlineData("0 0 * JAN-MAR sun", "0 0 * JAN-MAR sun")]
    [InlineData("0 0 * * 7", "0 0 * * 7")]
    [InlineData("0 0 * * 0", "0 0 * * 0")]
    [InlineData("5/10 * 13 * 5", "5/10 * 13 * 5")]
    [InlineData("@hourly", "0 * * * *")]
    [InlineData("@daily", "0 0 * * *")]
    [InlineData("@midnight", "0 0 * * *")]
    [InlineData("@weekly", "0 0 * * 0")]
    [InlineData("@monthly", "0 0 1 * *")]
    [InlineData("@yearly", "0 0 1 1 *")]
    [InlineData("@annually", "0 0 1 1 *")]
    public void Valid_cron_lines(string line, string normalized)
    {
        Assert.True(CronLine.TryNormalize(line, out var result, out var error), error);
        Assert.Equal(normalized, result);
        Assert.Null(error);
        Assert.True(Quartz.CronExpression.TryParse(result, Quartz.CronFormat.Unix, out _));
    }

    [Theory]
    [InlineData("", "a cron line has 5 fields (minute hour day-of-month month day-of-week), not 0")]
    [InlineData("0 3 * * * *", "a cron line has 5 fields (minute hour day-of-month month day-of-week), not 6")]
    [InlineData("60 * * * *", "minute '60': values must be numbers from 0 to 59")]
    [InlineData("* 24 * * *", "hour '24': values must be numbers from 0 to 23")]
    [InlineData("* * 0 * *", "day of month '0': values must be numbers from 1 to 31")]
    [InlineData("* * * 13 *", "month '13': values must be numbers from 1 to 12 or JAN-DEC")]
    [InlineData("* * * * MONDAY", "day of week 'MONDAY': values must be numbers from 0 to 7 or SUN-SAT")]
    [InlineData("5-1 * * * *", "minute '5-1': the range 5-1 runs backwards")]
    [InlineData("1,,2 * * * *", "minute '1,,2': an empty item in the list")]
    [InlineData("*/x * * * *", "minute '*/x': the step after '/' must be a whole number from 1")]
    [InlineData("? * * * *", "minute '?': values must be numbers from 0 to 59")]
    [InlineData("@reboot", "a cron line has 5 fields (minute hour day-of-month month day-of-week), not 1")]
    public void Invalid_cron_lines(string line, string message)
    {
        Assert.False(CronLine.TryNormalize(line, out var result, out var error));
        Assert.Equal(message, error);
        Assert.Equal("", result);
    }
}
