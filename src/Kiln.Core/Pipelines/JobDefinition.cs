namespace Kiln.Core.Pipelines;

/// <summary>A job as written in the file. <see cref="Location"/> is where its id is written.</summary>
public sealed record JobDefinition(
    string Id,
    IReadOnlyList<string> Needs,
    IReadOnlyDictionary<string, string> Env,
    TimeSpan? Timeout,
    IReadOnlyList<StepDefinition> Steps,
    SourceLocation Location);
