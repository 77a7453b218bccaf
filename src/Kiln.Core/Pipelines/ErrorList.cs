namespace Kiln.Core.Pipelines;

/// <summary>
/// Collects the errors of one parse. An error is reported in the file its location names
/// (<see cref="SourceLocation.File"/>), else in the pipeline file; the same error twice is kept once
/// (a template read for several jobs).
/// </summary>
internal sealed class ErrorList(string file)
{
    private readonly List<PipelineError> errors = [];
    private readonly HashSet<PipelineError> seen = [];

    public int Count => errors.Count;

    public void Add(SourceLocation at, string message, string? key = null, string? hint = null)
    {
        var error = new PipelineError(at.File ?? file, at.Line, at.Column, message, key, hint);
        if (seen.Add(error))
        {
            errors.Add(error);
        }
    }

    /// <summary>The errors by file (the pipeline file first), line and column, in the order found where they tie.</summary>
    public IReadOnlyList<PipelineError> Sorted() =>
        errors.OrderBy(e => e.File == file ? 0 : 1).ThenBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line).ThenBy(e => e.Column).ToList();
}
