using Kiln.Contracts;

namespace Kiln.Execution.Tests;

public sealed class StepOutcomeStatusTests
{
    [Theory]
    [InlineData(StepOutcome.Succeeded, "succeeded", "succeeded")]
    [InlineData(StepOutcome.Failed, "failed", "failed")]
    [InlineData(StepOutcome.TimedOut, "timed_out", "timed_out")]
    [InlineData(StepOutcome.Canceled, "canceled", "canceled")]
    [InlineData(StepOutcome.Error, "failed", "error")]
    public void Each_outcome_has_one_step_status_and_one_job_status(StepOutcome outcome, string step, string job)
    {
        Assert.Equal(step, outcome.ForStep());
        Assert.Equal(job, outcome.ForJob());
    }

    [Fact]
    public void Every_outcome_maps_to_a_status_the_wire_has()
    {
        Assert.All(Enum.GetValues<StepOutcome>(), o => Assert.Contains(o.ForStep(), WireStatus.StepStatuses));
        Assert.All(Enum.GetValues<StepOutcome>(), o => Assert.Contains(o.ForJob(), WireStatus.JobStatuses));
    }
}
