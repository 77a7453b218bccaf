namespace Kiln.Core.Pipelines;

/// <summary>
/// Checks the 'needs' of all jobs together: unknown jobs, self-needs, repeats, cycles, and needs of
/// a job that its <c>when</c> can leave out of a build while the needing job's does not.
/// </summary>
internal static class NeedsValidator
{
    public static void Validate(IReadOnlyList<JobDraft> jobs, ErrorList errors)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < jobs.Count; i++)
        {
            index.TryAdd(jobs[i].Id, i);
        }

        // The edges that name another real job, once each; the cycle search follows only these.
        var edges = new List<(int Target, SourceLocation At)>[jobs.Count];
        for (var i = 0; i < jobs.Count; i++)
        {
            edges[i] = [];
            var job = jobs[i];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (need, at) in job.Needs)
            {
                var path = $"{job.Path}.needs";
                if (need == job.Id)
                {
                    errors.Add(at, $"job '{job.Id}' needs itself", path);
                }
                else if (!index.TryGetValue(need, out var target))
                {
                    errors.Add(
                        at,
                        $"job '{job.Id}' needs '{need}', which is not a job in this pipeline",
                        path,
                        NameSuggester.Hint(need, jobs.Select(j => j.Id).Where(id => id != job.Id)));
                }
                else if (!seen.Add(need))
                {
                    errors.Add(at, $"job '{job.Id}' lists '{need}' in 'needs' more than once", path);
                }
                else
                {
                    edges[i].Add((target, at));
                    if (jobs[target].When is { } when && !Covers(job.When, when))
                    {
                        errors.Add(
                            at,
                            $"'{job.Id}' needs '{need}', which its `when` can remove; '{job.Id}' would then be skipped with it",
                            path,
                            $"move the condition to '{job.Id}' too or drop the need");
                    }
                }
            }
        }

        ReportCycles(jobs, edges, errors);
    }

    /// <summary>
    /// True when <paramref name="needing"/> has every condition of <paramref name="needed"/> with the
    /// same globs or events (it may have more): then whenever the needing job runs, so does the needed one.
    /// </summary>
    private static bool Covers(WhenDefinition? needing, WhenDefinition needed) =>
        needing is not null
        && Same(needing.Branches, needed.Branches)
        && Same(needing.Tags, needed.Tags)
        && Same(needing.Events, needed.Events)
        && Same(needing.Changes, needed.Changes);

    private static bool Same(IReadOnlyList<string>? needing, IReadOnlyList<string>? needed) =>
        needed is null || (needing is not null && needing.ToHashSet(StringComparer.Ordinal).SetEquals(needed));

    /// <summary>
    /// Depth-first search without recursion, in file order; every edge back to a job still on the
    /// path closes a cycle, reported once, at the need that closes it, as "a -> b -> c -> a"
    /// (a needs b, b needs c, c needs a).
    /// </summary>
    private static void ReportCycles(IReadOnlyList<JobDraft> jobs, List<(int Target, SourceLocation At)>[] edges, ErrorList errors)
    {
        var state = new byte[jobs.Count]; // 0 unvisited, 1 on the path, 2 done
        var path = new List<(int Job, int NextEdge)>();
        for (var start = 0; start < jobs.Count; start++)
        {
            if (state[start] != 0)
            {
                continue;
            }

            state[start] = 1;
            path.Add((start, 0));
            while (path.Count > 0)
            {
                var (job, next) = path[^1];
                if (next == edges[job].Count)
                {
                    state[job] = 2;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }

                path[^1] = (job, next + 1);
                var (target, at) = edges[job][next];
                if (state[target] == 0)
                {
                    state[target] = 1;
                    path.Add((target, 0));
                }
                else if (state[target] == 1)
                {
                    var from = path.FindIndex(p => p.Job == target);
                    var names = path.Skip(from).Select(p => jobs[p.Job].Id).Append(jobs[target].Id);
                    errors.Add(at, $"needs cycle: {string.Join(" -> ", names)}", $"{jobs[job].Path}.needs", "a job cannot need, directly or not, a job that needs it");
                }
            }
        }
    }
}
