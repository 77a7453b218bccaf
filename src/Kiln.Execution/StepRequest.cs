namespace Kiln.Execution;

/// <summary>One step to run.</summary>
/// <param name="Script">The script body, run by bash with <c>-eo pipefail</c>.</param>
/// <param name="WorkingDirectory">An existing directory the script starts in.</param>
/// <param name="Environment">Variables added to (or replacing) the agent's own environment.</param>
/// <param name="Timeout">How long the step may run; null for no limit. Must be positive.</param>
/// <param name="JobCookie">
/// A non-empty value unique to the job, exported as <c>KILN_JOB_COOKIE</c> so that
/// <see cref="ProcessTreeSweeper"/> can find every process the job started.
/// </param>
/// <param name="Shell">The step's <c>shell</c> (see <see cref="ShellCommand"/>); null for bash.</param>
public sealed record StepRequest(
    string Script,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan? Timeout,
    string JobCookie,
    string? Shell = null);
