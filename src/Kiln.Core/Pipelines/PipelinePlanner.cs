namespace Kiln.Core.Pipelines;

/// <summary>Turns a validated pipeline into the jobs of one build.</summary>
public static class PipelinePlanner
{
    /// <summary>
    /// Returns the jobs in topological order: each job after all the jobs it needs, and among the
    /// jobs that are ready at the same time, file order. Throws <see cref="ArgumentException"/> when
    /// a need names no job or the needs form a cycle, which <see cref="PipelineParser"/> never lets through.
    /// </summary>
    public static IReadOnlyList<PlannedJob> Plan(PipelineDefinition pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var ids = pipeline.Jobs.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var job in pipeline.Jobs)
        {
            var unknown = job.Needs.FirstOrDefault(n => !ids.Contains(n));
            if (unknown is not null)
            {
                throw new ArgumentException($"Job '{job.Id}' needs '{unknown}', which is not a job in this pipeline.", nameof(pipeline));
            }
        }

        var placed = new HashSet<string>(StringComparer.Ordinal);
        var remaining = pipeline.Jobs.ToList();
        var planned = new List<PlannedJob>(remaining.Count);
        while (remaining.Count > 0)
        {
            var index = remaining.FindIndex(j => j.Needs.All(placed.Contains));
            if (index < 0)
            {
                throw new ArgumentException($"The needs of jobs {string.Join(", ", remaining.Select(j => $"'{j.Id}'"))} form a cycle.", nameof(pipeline));
            }

            var job = remaining[index];
            remaining.RemoveAt(index);
            placed.Add(job.Id);
            planned.Add(PlanJob(pipeline, job));
        }

        return planned;
    }

    private static PlannedJob PlanJob(PipelineDefinition pipeline, JobDefinition job)
    {
        var jobEnv = Overlay(pipeline.Env, job.Env);
        var steps = job.Steps
            .Select(s => new PlannedStep(s.Name, s.Run, Overlay(jobEnv, s.Env), s.Timeout))
            .ToList();
        return new PlannedJob(job.Id, job.Needs.ToList(), jobEnv, job.Timeout, steps);
    }

    private static Dictionary<string, string> Overlay(IReadOnlyDictionary<string, string> under, IReadOnlyDictionary<string, string> over)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in under)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in over)
        {
            merged[key] = value;
        }

        return merged;
    }
}
