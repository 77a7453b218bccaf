using Kiln.Core.Triggers;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Which events build the pipeline (<c>on:</c>). A null list means the trigger is not enabled; an
/// empty one means it is, for every branch or tag. With no <c>on</c> key: <see cref="Default"/>.
/// </summary>
public sealed record TriggerSettings
{
    /// <summary>The event names <see cref="Allows"/> knows.</summary>
    public static IReadOnlyList<string> Events => TriggerEvents.Names;

    /// <summary>Pushes to every branch, and manual and API runs.</summary>
    public static TriggerSettings Default { get; } = new() { PushBranches = [], Manual = true, Api = true };

    /// <summary>Branch globs for pushes; null = pushes do not build; empty = every branch.</summary>
    public IReadOnlyList<string>? PushBranches { get; init; }

    /// <summary>Target-branch globs for pull requests; null = they do not build; empty = any target.</summary>
    public IReadOnlyList<string>? PullRequestBranches { get; init; }

    /// <summary>Tag globs for tag pushes; null = they do not build; empty = every tag.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Five-field cron lines (minute hour day-of-month month day-of-week), validated; macros such as <c>@daily</c> are written out.</summary>
    public IReadOnlyList<string> Schedules { get; init; } = [];

    public bool Manual { get; init; }

    public bool Api { get; init; }

    /// <summary>
    /// Whether an event builds the pipeline. <paramref name="branch"/> is the pushed branch for
    /// <c>push</c> and the target branch for <c>pull_request</c>; <paramref name="tag"/> the pushed
    /// tag for <c>tag</c>. <c>schedule</c> is allowed when there is a schedule.
    /// </summary>
    public bool Allows(TriggerEvent triggerEvent, string? branch, string? tag) => triggerEvent switch
    {
        TriggerEvent.Push => Matches(PushBranches, branch),
        TriggerEvent.PullRequest => Matches(PullRequestBranches, branch),
        TriggerEvent.Tag => Matches(Tags, tag),
        TriggerEvent.Manual => Manual,
        TriggerEvent.Api => Api,
        TriggerEvent.Schedule => Schedules.Count > 0,
        _ => false,
    };

    private static bool Matches(IReadOnlyList<string>? patterns, string? value) =>
        patterns is not null && (patterns.Count == 0 || (value is not null && Glob.MatchesAny(patterns, value)));
}
