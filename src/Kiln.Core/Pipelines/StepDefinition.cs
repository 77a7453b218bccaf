namespace Kiln.Core.Pipelines;

/// <summary>A step as written in the file. <see cref="Location"/> is where the step starts.</summary>
public sealed record StepDefinition(
    string Name,
    string Run,
    IReadOnlyDictionary<string, string> Env,
    TimeSpan? Timeout,
    SourceLocation Location);
