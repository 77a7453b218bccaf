namespace Kiln.Core.Pipelines;

/// <summary>
/// A step ready to run. <see cref="Env"/> is the step's effective environment: the pipeline's env,
/// overlaid by the job's, overlaid by the step's own (Kiln's <c>KILN_*</c> variables come on top).
/// </summary>
public sealed record PlannedStep(string Name, string Run, IReadOnlyDictionary<string, string> Env, TimeSpan? Timeout);
