namespace Kiln.Core.Pipelines;

/// <summary>A place in the pipeline file; both numbers start at 1.</summary>
public sealed record SourceLocation(int Line, int Column);
