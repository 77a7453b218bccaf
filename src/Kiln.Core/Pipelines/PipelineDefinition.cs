namespace Kiln.Core.Pipelines;

/// <summary>A parsed, validated pipeline. <see cref="Jobs"/> are in file order, templates already applied.</summary>
public sealed record PipelineDefinition
{
    public required IReadOnlyDictionary<string, string> Env { get; init; }

    public required IReadOnlyList<JobDefinition> Jobs { get; init; }

    public required TriggerSettings On { get; init; }

    public required IReadOnlyList<InputDefinition> Inputs { get; init; }
}
