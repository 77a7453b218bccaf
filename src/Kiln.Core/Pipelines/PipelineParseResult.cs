namespace Kiln.Core.Pipelines;

/// <summary>
/// What <see cref="PipelineParser.Parse"/> found. <see cref="Pipeline"/> is set only when the file
/// has no errors; <see cref="Errors"/> and <see cref="Warnings"/> are sorted by line and column.
/// Warnings never make a parse fail.
/// </summary>
public sealed class PipelineParseResult
{
    public PipelineParseResult(PipelineDefinition? pipeline, IReadOnlyList<PipelineError> errors, IReadOnlyList<PipelineError>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Pipeline = pipeline;
        Errors = errors;
        Warnings = warnings ?? [];
    }

    public PipelineDefinition? Pipeline { get; }

    public IReadOnlyList<PipelineError> Errors { get; }

    /// <summary>What is valid but likely not meant, such as a command cut short by a YAML comment.</summary>
    public IReadOnlyList<PipelineError> Warnings { get; }

    public bool Success => Pipeline is not null && Errors.Count == 0;
}
