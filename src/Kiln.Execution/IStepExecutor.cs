namespace Kiln.Execution;

/// <summary>Runs the steps of a job, one call per step.</summary>
/// <remarks>
/// <para>Calls may run concurrently (for different steps or jobs); one call never runs two
/// things at once on its <see cref="ILogSink"/>.</para>
/// </remarks>
public interface IStepExecutor
{
    /// <summary>Runs one step to its end.</summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Never throws for the step's own failure: a non-zero exit returns
    /// <see cref="StepOutcome.Failed"/> with the exit code, exit 0 returns
    /// <see cref="StepOutcome.Succeeded"/>.</item>
    /// <item>Returns <see cref="StepOutcome.Error"/> with a <see cref="StepResult.Message"/> if the
    /// step could not be started (missing working directory, no shell, unwritable temp
    /// directory) or if <paramref name="log"/> threw; in the latter case the step is killed
    /// as on cancellation.</item>
    /// <item><paramref name="cancellationToken"/> canceled means the user canceled the step:
    /// SIGTERM goes to the step's whole process group, then after the grace period SIGKILL,
    /// and the call returns <see cref="StepOutcome.Canceled"/> after writing
    /// "[kiln] step canceled". A token canceled before the call returns Canceled without
    /// starting anything.</item>
    /// <item><see cref="StepRequest.Timeout"/> elapsing does the same and returns
    /// <see cref="StepOutcome.TimedOut"/> after writing "[kiln] step timed out after …".</item>
    /// <item>Output lines (stdout and stderr merged, in order) are written to
    /// <paramref name="log"/> in order, never concurrently; the call returns only after the
    /// last line was written. Lines still written after a cancellation get a token that is
    /// canceled once the step is dead and the drain period passed, so a stuck sink cannot
    /// hold a canceled step forever.</item>
    /// <item>The result does not wait for background processes that outlive the step's main
    /// process: output is read until end-of-file or a short drain period after the main
    /// process exited. Killing such leftovers is <see cref="ProcessTreeSweeper"/>'s job.</item>
    /// <item>Argument errors (null request, empty <see cref="StepRequest.JobCookie"/>,
    /// non-positive timeout) throw <see cref="ArgumentException"/>.</item>
    /// </list>
    /// </remarks>
    Task<StepResult> RunAsync(StepRequest request, ILogSink log, CancellationToken cancellationToken);
}
