namespace Kiln.Core.Builds;

/// <summary>The state machine of a build, on plain records: what changes when a job of it changed, and
/// what canceling it changes. No I/O: the queue reads the build and its latest jobs, asks here, and
/// writes the decision (with its events) in the same transaction.</summary>
public static class BuildDecisions
{
    /// <summary>Moves a build forward after any of its jobs changed: each waiting job whose needs are
    /// now decided becomes queued (or manual, or skipped), and the build starts once a job started and
    /// ends once every job ended. <paramref name="jobs"/> are the build's latest attempts, in job order.</summary>
    public static BuildDecision Advance(BuildState build, IReadOnlyList<JobState> jobs, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(jobs);
        var after = jobs.ToList();
        var index = Enumerable.Range(0, after.Count).ToDictionary(i => after[i].Name, StringComparer.Ordinal);
        var nodes = after.Select(j => new JobNode(j.Name, j.Needs, j.Effective)).ToList();
        foreach (var (name, resolved) in DependencyResolver.Resolve(nodes))
        {
            var i = index[name];
            var job = after[i];
            // A manual job whose needs are met waits for a person instead of the queue.
            var status = resolved == JobStatus.Queued && job.Manual ? JobStatus.Manual : resolved;
            after[i] = status switch
            {
                JobStatus.Queued => job with { Status = status, QueuedAt = now },
                JobStatus.Skipped => job with
                {
                    Status = status,
                    FinishedAt = now,
                    Message = job.Message ?? "a job it needs did not succeed",
                },
                _ when StatusRules.IsTerminal(status) => job with
                {
                    Status = status,
                    FinishedAt = now,
                    FailureReason = job.FailureReason ?? FailureReasons.For(status, job.CancelRequested),
                },
                _ => job with { Status = status },
            };
        }

        return new BuildDecision(Changes(jobs, after), BuildChangeFor(build, after, now));
    }

    /// <summary>Cancels a build for <paramref name="reason"/>: jobs not started end canceled at once;
    /// running jobs are asked to cancel (their agents stop the step and report canceled; a superseded
    /// one keeps that reason); then the build moves forward as <see cref="Advance"/> does. Nothing
    /// changes for a build that already ended.</summary>
    public static BuildDecision Cancel(BuildState build, IReadOnlyList<JobState> jobs, FailureReason reason, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(jobs);
        if (StatusRules.IsTerminal(build.Status))
        {
            return new BuildDecision([], null);
        }

        var canceled = jobs.Select(job => job.Status switch
        {
            JobStatus.Running => job with
            {
                CancelRequested = true,
                FailureReason = reason == FailureReason.Superseded ? reason : job.FailureReason,
            },
            _ when !StatusRules.IsTerminal(job.Status) => job with
            {
                Status = JobStatus.Canceled,
                FailureReason = reason,
                FinishedAt = now,
            },
            _ => job,
        }).ToList();
        var advanced = Advance(build, canceled, now);
        var final = canceled.ToList();
        foreach (var change in advanced.Jobs)
        {
            final[final.FindIndex(j => j.Id == change.After.Id)] = change.After;
        }

        return new BuildDecision(Changes(jobs, final), advanced.Build);
    }

    private static List<JobChange> Changes(IReadOnlyList<JobState> before, IReadOnlyList<JobState> after)
    {
        var changes = new List<JobChange>();
        for (var i = 0; i < before.Count; i++)
        {
            if (before[i] != after[i])
            {
                changes.Add(new JobChange(before[i], after[i]));
            }
        }

        return changes;
    }

    private static BuildChange? BuildChangeFor(BuildState build, IReadOnlyList<JobState> jobs, DateTime now)
    {
        if (StatusRules.IsTerminal(build.Status))
        {
            return null;
        }

        var next = build;
        if (next.StartedAt is null && jobs.Any(j => j.StartedAt is not null))
        {
            next = next with { Status = BuildStatus.Running, StartedAt = jobs.Where(j => j.StartedAt is not null).Min(j => j.StartedAt) };
        }

        if (BuildOutcome.Aggregate(jobs.Select(j => j.Effective)) is { } outcome)
        {
            next = next with { Status = outcome, FinishedAt = now };
        }

        return next == build ? null : new BuildChange(build, next);
    }
}
