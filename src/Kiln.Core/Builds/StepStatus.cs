namespace Kiln.Core.Builds;

/// <summary>The status of a step. Wire names are the snake_case of the member (see <see cref="StatusNames"/>).</summary>
public enum StepStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Canceled,
    TimedOut,
    Skipped,
}
