namespace Kiln.Core.Pipelines;

/// <summary>
/// A job's <c>when</c>: the conditions (all of those given) under which the job runs in a build;
/// otherwise it is planned as skipped. Null lists are conditions not given.
/// </summary>
public sealed record WhenDefinition
{
    /// <summary>Globs the build's branch must match (one of them).</summary>
    public IReadOnlyList<string>? Branches { get; init; }

    /// <summary>Globs the build's tag must match (one of them).</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Events (push, pull_request, tag, manual, api, schedule), one of which must be the build's.</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>Path globs one of which a changed file must match; passes when the changed files are unknown.</summary>
    public IReadOnlyList<string>? Changes { get; init; }
}
