namespace Kiln.Core.Pipelines;

/// <summary>Collects the errors of one parse, all for the same file.</summary>
internal sealed class ErrorList(string file)
{
    private readonly List<PipelineError> errors = [];

    public int Count => errors.Count;

    public void Add(SourceLocation at, string message, string? key = null, string? hint = null) =>
        errors.Add(new PipelineError(file, at.Line, at.Column, message, key, hint));

    /// <summary>The errors by line and column, in the order found where they tie.</summary>
    public IReadOnlyList<PipelineError> Sorted() =>
        errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
}
