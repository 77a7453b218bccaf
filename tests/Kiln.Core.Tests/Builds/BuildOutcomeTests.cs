using Kiln.Core.Builds;

namespace Kiln.Core.Tests.Builds;

public sealed class BuildOutcomeTests
{
    [Theory]
    [InlineData(JobStatus.Waiting)]
    [InlineData(JobStatus.Manual)]
    [InlineData(JobStatus.Queued)]
    [InlineData(JobStatus.Running)]
    public void Null_while_any_job_is_not_terminal(JobStatus open) =>
        Assert.Null(BuildOutcome.Aggregate([JobStatus.Error, JobStatus.Succeeded, open]));

    [Theory]
    [InlineData(BuildStatus.Succeeded, new[] { JobStatus.Succeeded, JobStatus.Succeeded })]
    [InlineData(BuildStatus.Succeeded, new[] { JobStatus.Succeeded, JobStatus.Skipped })]
    [InlineData(BuildStatus.Succeeded, new[] { JobStatus.Skipped })]
    [InlineData(BuildStatus.Failed, new[] { JobStatus.Succeeded, JobStatus.Failed, JobStatus.Skipped })]
    [InlineData(BuildStatus.Failed, new[] { JobStatus.TimedOut })]
    [InlineData(BuildStatus.Failed, new[] { JobStatus.Lost, JobStatus.Succeeded })]
    [InlineData(BuildStatus.Canceled, new[] { JobStatus.Failed, JobStatus.Canceled, JobStatus.Lost })]
    [InlineData(BuildStatus.Error, new[] { JobStatus.Canceled, JobStatus.Error, JobStatus.Failed })]
    [InlineData(BuildStatus.Error, new[] { JobStatus.Error })]
    public void Worst_outcome_wins(BuildStatus expected, JobStatus[] jobs) =>
        Assert.Equal(expected, BuildOutcome.Aggregate(jobs));

    [Fact]
    public void A_build_without_jobs_succeeded() => Assert.Equal(BuildStatus.Succeeded, BuildOutcome.Aggregate([]));
}
