namespace Kiln.Core.Pipelines;

/// <summary>A parsed, validated pipeline. <see cref="Jobs"/> are in file order.</summary>
public sealed record PipelineDefinition(IReadOnlyDictionary<string, string> Env, IReadOnlyList<JobDefinition> Jobs);
