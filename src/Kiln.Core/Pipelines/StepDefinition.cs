namespace Kiln.Core.Pipelines;

/// <summary>When a step runs: while the job is succeeding (the default), once it has failed, or always.</summary>
public enum StepCondition
{
    Success,
    Failure,
    Always,
}

/// <summary>A step as written in the file. <see cref="Location"/> is where the step starts.</summary>
public sealed record StepDefinition
{
    public required string Name { get; init; }

    public required string Run { get; init; }

    public required IReadOnlyDictionary<string, string> Env { get; init; }

    public TimeSpan? Timeout { get; init; }

    public required SourceLocation Location { get; init; }

    public bool ContinueOnError { get; init; }

    public string? WorkingDirectory { get; init; }

    public StepCondition If { get; init; } = StepCondition.Success;

    /// <summary><c>bash</c>, <c>sh</c>, <c>python3</c>, <c>pwsh</c> or a command line holding <c>{0}</c>; null = the job's.</summary>
    public string? Shell { get; init; }
}
