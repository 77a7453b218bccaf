namespace Kiln.Core.Pipelines;

/// <summary>
/// A step ready to run. <see cref="Env"/> is the step's effective environment: the pipeline's env,
/// overlaid by the job's, the matrix's <c>KILN_MATRIX_*</c> and the step's own, interpolated
/// (Kiln's other <c>KILN_*</c> variables come on top at run time). <see cref="Run"/> is as written.
/// </summary>
public sealed record PlannedStep
{
    public required string Name { get; init; }

    public required string Run { get; init; }

    public required IReadOnlyDictionary<string, string> Env { get; init; }

    public TimeSpan? Timeout { get; init; }

    public bool ContinueOnError { get; init; }

    public string? WorkingDirectory { get; init; }

    public StepCondition If { get; init; }

    public string? Shell { get; init; }
}
