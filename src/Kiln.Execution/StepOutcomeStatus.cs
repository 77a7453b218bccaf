using Kiln.Contracts;

namespace Kiln.Execution;

/// <summary>The one mapping from how a step ended to the wire's status names, for the step's report and the job's.</summary>
public static class StepOutcomeStatus
{
    /// <summary>The job's status when its steps ended so: Kiln's own failure is <c>error</c>.</summary>
    public static string ForJob(this StepOutcome outcome) => outcome switch
    {
        StepOutcome.Succeeded => WireStatus.Succeeded,
        StepOutcome.Failed => WireStatus.Failed,
        StepOutcome.TimedOut => WireStatus.TimedOut,
        StepOutcome.Canceled => WireStatus.Canceled,
        _ => WireStatus.Error,
    };

    /// <summary>The step's status: steps have no <c>error</c>, so a step that could not run is <c>failed</c>
    /// (its log says why).</summary>
    public static string ForStep(this StepOutcome outcome) => outcome == StepOutcome.Error ? WireStatus.Failed : outcome.ForJob();
}
