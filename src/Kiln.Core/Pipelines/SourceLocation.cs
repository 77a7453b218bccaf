namespace Kiln.Core.Pipelines;

/// <summary>
/// A place in the pipeline file; both numbers start at 1. <see cref="File"/> is null for the
/// pipeline file itself and names the included file (as written under <c>include</c>) for what
/// came from one.
/// </summary>
public sealed record SourceLocation(int Line, int Column)
{
    public string? File { get; init; }
}
