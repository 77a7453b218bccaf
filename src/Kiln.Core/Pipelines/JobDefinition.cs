namespace Kiln.Core.Pipelines;

/// <summary>A job as written in the file, its templates applied. <see cref="Location"/> is where its id is written.</summary>
public sealed record JobDefinition
{
    public required string Id { get; init; }

    /// <summary>The job's <c>name</c>, for people; may hold <c>${…}</c>.</summary>
    public string? DisplayName { get; init; }

    public required IReadOnlyList<string> Needs { get; init; }

    public required IReadOnlyDictionary<string, string> Env { get; init; }

    public TimeSpan? Timeout { get; init; }

    public required IReadOnlyList<StepDefinition> Steps { get; init; }

    public required SourceLocation Location { get; init; }

    /// <summary>Agent labels; an agent must have them all.</summary>
    public IReadOnlyList<string> RunsOn { get; init; } = [];

    public string? Image { get; init; }

    public IReadOnlyList<ServiceDefinition> Services { get; init; } = [];

    public MatrixDefinition? Matrix { get; init; }

    public WhenDefinition? When { get; init; }

    public RetryPolicy? Retry { get; init; }

    public bool AllowFailure { get; init; }

    public bool Manual { get; init; }

    public ConcurrencyDefinition? Concurrency { get; init; }

    public ArtifactsDefinition? Artifacts { get; init; }

    public CacheDefinition? Cache { get; init; }

    public string? WorkingDirectory { get; init; }

    public string? Shell { get; init; }
}
