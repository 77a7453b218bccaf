namespace Kiln.Core.Pipelines;

/// <summary>
/// Collects the errors and warnings of one parse. A problem is reported in the file its location
/// names (<see cref="SourceLocation.File"/>), else in the pipeline file; the same problem twice is
/// kept once (a template read for several jobs). Warnings travel with the errors so that a
/// discarding list, used while a template's keys are read again, discards both.
/// </summary>
internal sealed class ErrorList(string file)
{
    private readonly List<PipelineError> errors = [];
    private readonly HashSet<PipelineError> seen = [];
    private readonly List<PipelineError> warnings = [];

    public int Count => errors.Count;

    public void Add(SourceLocation at, string message, string? key = null, string? hint = null) =>
        Keep(errors, new PipelineError(at.File ?? file, at.Line, at.Column, message, key, hint));

    /// <summary>A problem that does not make the file invalid, but likely does not do what its author meant.</summary>
    public void Warn(SourceLocation at, string message, string? key = null, string? hint = null) =>
        Keep(warnings, new PipelineError(at.File ?? file, at.Line, at.Column, message, key, hint));

    /// <summary>The errors by file (the pipeline file first), line and column, in the order found where they tie.</summary>
    public IReadOnlyList<PipelineError> Sorted() => Sort(errors);

    /// <summary>The warnings, sorted like <see cref="Sorted"/>.</summary>
    public IReadOnlyList<PipelineError> SortedWarnings() => Sort(warnings);

    private void Keep(List<PipelineError> list, PipelineError problem)
    {
        if (seen.Add(problem))
        {
            list.Add(problem);
        }
    }

    private List<PipelineError> Sort(List<PipelineError> list) =>
        list.OrderBy(e => e.File == file ? 0 : 1).ThenBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line).ThenBy(e => e.Column).ToList();
}
