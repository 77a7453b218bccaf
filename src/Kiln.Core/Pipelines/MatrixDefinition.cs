namespace Kiln.Core.Pipelines;

/// <summary>
/// A job's <c>matrix</c>: axes in file order with their values as written, and the <c>include</c>
/// and <c>exclude</c> entries. <see cref="MatrixExpander"/> says what combinations it yields.
/// </summary>
public sealed record MatrixDefinition
{
    public required IReadOnlyList<(string Axis, IReadOnlyList<string> Values)> Axes { get; init; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Include { get; init; } = [];

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Exclude { get; init; } = [];
}
