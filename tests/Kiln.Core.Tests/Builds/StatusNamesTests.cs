using Kiln.Core.Builds;

namespace Kiln.Core.Tests.Builds;

public sealed class StatusNamesTests
{
    [Fact]
    public void Job_wire_names_match_the_design()
    {
        Assert.Equal(
            ["waiting", "manual", "queued", "running", "succeeded", "failed", "canceled", "timed_out", "lost", "skipped", "error"],
            Enum.GetValues<JobStatus>().Select(StatusNames.ToWire));
    }

    [Fact]
    public void Build_and_step_wire_names_match_the_design()
    {
        Assert.Equal(["queued", "running", "succeeded", "failed", "canceled", "error", "skipped"], Enum.GetValues<BuildStatus>().Select(StatusNames.ToWire));
        Assert.Equal(
            ["pending", "running", "succeeded", "failed", "canceled", "timed_out", "skipped"],
            Enum.GetValues<StepStatus>().Select(StatusNames.ToWire));
    }

    [Fact]
    public void Names_round_trip()
    {
        foreach (var s in Enum.GetValues<BuildStatus>())
        {
            Assert.True(StatusNames.TryParseBuild(StatusNames.ToWire(s), out var v));
            Assert.Equal(s, v);
        }

        foreach (var s in Enum.GetValues<JobStatus>())
        {
            Assert.True(StatusNames.TryParseJob(StatusNames.ToWire(s), out var v));
            Assert.Equal(s, v);
        }

        foreach (var s in Enum.GetValues<StepStatus>())
        {
            Assert.True(StatusNames.TryParseStep(StatusNames.ToWire(s), out var v));
            Assert.Equal(s, v);
        }
    }

    [Theory]
    [InlineData("TimedOut")]
    [InlineData("timedout")]
    [InlineData("Queued")]
    [InlineData("")]
    [InlineData(" queued")]
    [InlineData("7")]
    public void Rejects_other_spellings(string text)
    {
        Assert.False(StatusNames.TryParseJob(text, out _));
        Assert.False(StatusNames.TryParseBuild(text, out _));
        Assert.False(StatusNames.TryParseStep(text, out _));
    }

    [Fact]
    public void Parse_is_strict_per_kind()
    {
        Assert.False(StatusNames.TryParseBuild("timed_out", out _));
        Assert.False(StatusNames.TryParseStep("lost", out _));
        Assert.True(StatusNames.TryParseJob("timed_out", out var job));
        Assert.Equal(JobStatus.TimedOut, job);
    }

    [Fact]
    public void Undefined_value_throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StatusNames.ToWire((JobStatus)99));
}
