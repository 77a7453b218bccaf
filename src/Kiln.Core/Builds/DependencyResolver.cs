namespace Kiln.Core.Builds;

/// <summary>Decides which waiting jobs may run and which can never run.</summary>
public static class DependencyResolver
{
    /// <summary>
    /// For every Waiting job: if all its needs Succeeded it becomes Queued; if any need is terminal
    /// and not Succeeded (or names no job of the build) it becomes Skipped. Skips cascade: one call
    /// reaches the fixed point. Returns only the jobs whose status changes, in input order, with
    /// their new status. When two jobs share a name, the first one counts as the need.
    /// </summary>
    public static IReadOnlyList<(string Name, JobStatus NewStatus)> Resolve(IReadOnlyList<JobNode> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < jobs.Count; i++)
        {
            firstIndex.TryAdd(jobs[i].Name, i);
        }

        var current = jobs.Select(j => j.Status).ToArray();
        bool changed;
        do
        {
            changed = false;
            for (var i = 0; i < jobs.Count; i++)
            {
                if (current[i] != JobStatus.Waiting)
                {
                    continue;
                }

                if (Decide(jobs[i].Needs, firstIndex, current) is { } newStatus)
                {
                    current[i] = newStatus;
                    changed |= newStatus == JobStatus.Skipped;
                }
            }
        }
        while (changed);

        var result = new List<(string, JobStatus)>();
        for (var i = 0; i < jobs.Count; i++)
        {
            if (current[i] != jobs[i].Status)
            {
                result.Add((jobs[i].Name, current[i]));
            }
        }

        return result;
    }

    private static JobStatus? Decide(IReadOnlyList<string> needs, Dictionary<string, int> firstIndex, JobStatus[] current)
    {
        var allSucceeded = true;
        foreach (var need in needs)
        {
            if (!firstIndex.TryGetValue(need, out var index))
            {
                return JobStatus.Skipped;
            }

            var s = current[index];
            if (s == JobStatus.Succeeded)
            {
                continue;
            }

            if (StatusRules.IsTerminal(s))
            {
                return JobStatus.Skipped;
            }

            allSucceeded = false;
        }

        return allSucceeded ? JobStatus.Queued : null;
    }
}
