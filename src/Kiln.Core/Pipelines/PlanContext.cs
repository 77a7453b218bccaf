using Kiln.Core.Triggers;

namespace Kiln.Core.Pipelines;

/// <summary>What a build is planned for: its event, branch, tag, changed files and resolved inputs.</summary>
public sealed record PlanContext
{
    public required TriggerEvent Event { get; init; }

    public string? Branch { get; init; }

    public string? Tag { get; init; }

    /// <summary>Paths changed by the build's commits; null when unknown, and then <c>when.changes</c> passes.</summary>
    public IReadOnlyList<string>? ChangedFiles { get; init; }

    /// <summary>The inputs, already resolved (<see cref="InputResolver"/>).</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
