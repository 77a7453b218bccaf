namespace Kiln.Core.Pipelines;

/// <summary>
/// What <see cref="PipelineParser.Parse"/> found. <see cref="Pipeline"/> is set only when the file
/// has no errors; <see cref="Errors"/> are sorted by line and column.
/// </summary>
public sealed class PipelineParseResult
{
    public PipelineParseResult(PipelineDefinition? pipeline, IReadOnlyList<PipelineError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Pipeline = pipeline;
        Errors = errors;
    }

    public PipelineDefinition? Pipeline { get; }

    public IReadOnlyList<PipelineError> Errors { get; }

    public bool Success => Pipeline is not null && Errors.Count == 0;
}
