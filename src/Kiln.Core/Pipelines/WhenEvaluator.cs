using Kiln.Core.Triggers;

namespace Kiln.Core.Pipelines;

/// <summary>Decides whether a job's <c>when</c> lets it into a build.</summary>
public static class WhenEvaluator
{
    /// <summary>
    /// Null when every condition given passes (or there is no <c>when</c>); otherwise why the job is
    /// skipped, naming the first condition that failed, e.g.
    /// <c>when.branches: 'dev' matches none of main, release/*</c>.
    /// </summary>
    public static string? SkipReason(WhenDefinition? when, PlanContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (when is null)
        {
            return null;
        }

        if (when.Branches is { } branches && (context.Branch is null || !Glob.MatchesAny(branches, context.Branch)))
        {
            return context.Branch is null
                ? $"when.branches: the build has no branch to match {string.Join(", ", branches)}"
                : $"when.branches: '{context.Branch}' matches none of {string.Join(", ", branches)}";
        }

        if (when.Tags is { } tags && (context.Tag is null || !Glob.MatchesAny(tags, context.Tag)))
        {
            return context.Tag is null
                ? $"when.tags: the build has no tag to match {string.Join(", ", tags)}"
                : $"when.tags: '{context.Tag}' matches none of {string.Join(", ", tags)}";
        }

        if (when.Events is { } events && !events.Contains(context.Event.ToWire(), StringComparer.Ordinal))
        {
            return $"when.events: '{context.Event.ToWire()}' is not one of {string.Join(", ", events)}";
        }

        if (when.Changes is { } changes && context.ChangedFiles is { } files && !files.Any(f => Glob.MatchesAny(changes, f)))
        {
            return $"when.changes: no changed file matches {string.Join(", ", changes)}";
        }

        return null;
    }
}
