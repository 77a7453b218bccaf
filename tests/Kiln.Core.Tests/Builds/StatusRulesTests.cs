using Kiln.Core.Builds;

namespace Kiln.Core.Tests.Builds;

public sealed class StatusRulesTests
{
    [Fact]
    public void Terminal_job_statuses()
    {
        Assert.Equal(
            [JobStatus.Succeeded, JobStatus.Failed, JobStatus.Canceled, JobStatus.TimedOut, JobStatus.Lost, JobStatus.Skipped, JobStatus.Error],
            Enum.GetValues<JobStatus>().Where(StatusRules.IsTerminal));
    }

    [Fact]
    public void Terminal_build_and_step_statuses()
    {
        Assert.Equal(
            [BuildStatus.Succeeded, BuildStatus.Failed, BuildStatus.Canceled, BuildStatus.Error, BuildStatus.Skipped],
            Enum.GetValues<BuildStatus>().Where(StatusRules.IsTerminal));
        Assert.Equal(
            [StepStatus.Succeeded, StepStatus.Failed, StepStatus.Canceled, StepStatus.TimedOut, StepStatus.Skipped],
            Enum.GetValues<StepStatus>().Where(StatusRules.IsTerminal));
    }

    [Fact]
    public void Job_transitions_are_exactly_the_documented_ones()
    {
        var allowed = new HashSet<(JobStatus, JobStatus)>
        {
            (JobStatus.Waiting, JobStatus.Queued), (JobStatus.Waiting, JobStatus.Manual), (JobStatus.Waiting, JobStatus.Skipped), (JobStatus.Waiting, JobStatus.Canceled),
            (JobStatus.Manual, JobStatus.Queued), (JobStatus.Manual, JobStatus.Skipped), (JobStatus.Manual, JobStatus.Canceled),
            (JobStatus.Queued, JobStatus.Running), (JobStatus.Queued, JobStatus.Canceled), (JobStatus.Queued, JobStatus.Error),
            (JobStatus.Running, JobStatus.Succeeded), (JobStatus.Running, JobStatus.Failed), (JobStatus.Running, JobStatus.Canceled),
            (JobStatus.Running, JobStatus.TimedOut), (JobStatus.Running, JobStatus.Lost), (JobStatus.Running, JobStatus.Error),
            (JobStatus.Lost, JobStatus.Queued),
        };

        foreach (var from in Enum.GetValues<JobStatus>())
        {
            foreach (var to in Enum.GetValues<JobStatus>())
            {
                Assert.True(allowed.Contains((from, to)) == StatusRules.CanTransition(from, to), $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void Build_transitions_are_exactly_the_documented_ones()
    {
        var allowed = new HashSet<(BuildStatus, BuildStatus)>
        {
            (BuildStatus.Queued, BuildStatus.Running), (BuildStatus.Queued, BuildStatus.Succeeded), (BuildStatus.Queued, BuildStatus.Canceled), (BuildStatus.Queued, BuildStatus.Error),
            (BuildStatus.Running, BuildStatus.Succeeded), (BuildStatus.Running, BuildStatus.Failed), (BuildStatus.Running, BuildStatus.Canceled), (BuildStatus.Running, BuildStatus.Error),
        };

        foreach (var from in Enum.GetValues<BuildStatus>())
        {
            foreach (var to in Enum.GetValues<BuildStatus>())
            {
                Assert.True(allowed.Contains((from, to)) == StatusRules.CanTransition(from, to), $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void Step_transitions_are_exactly_the_documented_ones()
    {
        var allowed = new HashSet<(StepStatus, StepStatus)>
        {
            (StepStatus.Pending, StepStatus.Running), (StepStatus.Pending, StepStatus.Skipped), (StepStatus.Pending, StepStatus.Canceled),
            (StepStatus.Running, StepStatus.Succeeded), (StepStatus.Running, StepStatus.Failed), (StepStatus.Running, StepStatus.Canceled), (StepStatus.Running, StepStatus.TimedOut),
        };

        foreach (var from in Enum.GetValues<StepStatus>())
        {
            foreach (var to in Enum.GetValues<StepStatus>())
            {
                Assert.True(allowed.Contains((from, to)) == StatusRules.CanTransition(from, to), $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void Terminal_statuses_are_final_except_lost_which_may_be_retried()
    {
        foreach (var from in Enum.GetValues<JobStatus>().Where(StatusRules.IsTerminal).Where(s => s != JobStatus.Lost))
        {
            Assert.DoesNotContain(Enum.GetValues<JobStatus>(), to => StatusRules.CanTransition(from, to));
        }

        Assert.True(StatusRules.CanTransition(JobStatus.Lost, JobStatus.Queued));
    }
}
