namespace Kiln.Core.Pipelines;

/// <summary>
/// A job of one build. <see cref="Env"/> is the pipeline's env overlaid by the job's and the
/// matrix's <c>KILN_MATRIX_*</c>, interpolated. A job with a <see cref="SkipReason"/> is planned
/// with status skipped.
/// </summary>
public sealed record PlannedJob
{
    /// <summary>The job id, or for a matrix job <c>test (shard=2, os=a)</c>; unique in the plan.</summary>
    public required string Name { get; init; }

    /// <summary>The job's <c>name</c>, interpolated; null when it has none.</summary>
    public string? DisplayName { get; init; }

    public required string DefinitionId { get; init; }

    /// <summary>Axis (and include key) to value; empty when the job has no matrix.</summary>
    public required IReadOnlyDictionary<string, string> Matrix { get; init; }

    /// <summary>Planned names; needing a matrix job is needing all its expansions.</summary>
    public required IReadOnlyList<string> Needs { get; init; }

    public required IReadOnlyDictionary<string, string> Env { get; init; }

    public TimeSpan? Timeout { get; init; }

    public required IReadOnlyList<PlannedStep> Steps { get; init; }

    public IReadOnlyList<string> RunsOn { get; init; } = [];

    public string? Image { get; init; }

    public IReadOnlyList<ServiceDefinition> Services { get; init; } = [];

    public RetryPolicy? Retry { get; init; }

    public bool AllowFailure { get; init; }

    public bool Manual { get; init; }

    public ConcurrencyDefinition? Concurrency { get; init; }

    public ArtifactsDefinition? Artifacts { get; init; }

    public CacheDefinition? Cache { get; init; }

    public string? WorkingDirectory { get; init; }

    public string? Shell { get; init; }

    /// <summary>Non-null when <c>when</c> removed the job (or a job it needs) from this build.</summary>
    public string? SkipReason { get; init; }
}
