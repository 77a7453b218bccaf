namespace Kiln.Core.Pipelines;

/// <summary>A job ready to queue. <see cref="Env"/> is the pipeline's env overlaid by the job's.</summary>
public sealed record PlannedJob(
    string Name,
    IReadOnlyList<string> Needs,
    IReadOnlyDictionary<string, string> Env,
    TimeSpan? Timeout,
    IReadOnlyList<PlannedStep> Steps);
