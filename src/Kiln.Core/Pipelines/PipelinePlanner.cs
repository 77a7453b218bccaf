using Kiln.Core.Triggers;

namespace Kiln.Core.Pipelines;

/// <summary>Turns a validated pipeline into the jobs of one build.</summary>
public static class PipelinePlanner
{
    /// <summary>Plans a manual build with no branch, tag or inputs.</summary>
    public static IReadOnlyList<PlannedJob> Plan(PipelineDefinition pipeline) => Plan(pipeline, new PlanContext { Event = TriggerEvent.Manual });

    /// <summary>
    /// Returns the jobs in topological order: each job after all the jobs it needs, and among the
    /// jobs that are ready at the same time, file order; a matrix job's expansions follow each other
    /// in <see cref="MatrixExpander"/>'s order. A job whose <c>when</c> fails for
    /// <paramref name="context"/>, or that needs a job that is skipped, is planned with a
    /// <see cref="PlannedJob.SkipReason"/>. Strings are interpolated as <see cref="Interpolator"/> says.
    /// Throws <see cref="ArgumentException"/> when a need names no job or the needs form a cycle,
    /// which <see cref="PipelineParser"/> never lets through.
    /// </summary>
    public static IReadOnlyList<PlannedJob> Plan(PipelineDefinition pipeline, PlanContext context)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(context);
        var jobs = pipeline.Jobs;
        var needs = NeedIndexes(jobs);
        var buildVariables = BuildVariables(context);
        var names = new IReadOnlyList<string>[jobs.Count];
        var skipped = new bool[jobs.Count];
        var planned = new List<PlannedJob>(jobs.Count);
        foreach (var index in TopologicalOrder(jobs, needs))
        {
            var job = jobs[index];
            var reason = WhenEvaluator.SkipReason(job.When, context);
            if (reason is null && needs[index].FirstOrDefault(n => skipped[n], -1) is var skippedNeed and >= 0)
            {
                reason = $"needs '{jobs[skippedNeed].Id}', which was skipped";
            }

            skipped[index] = reason is not null;
            IReadOnlyList<string> plannedNeeds = needs[index].Length switch
            {
                0 => [],
                1 => names[needs[index][0]],
                _ => needs[index].SelectMany(n => names[n]).ToList(),
            };
            var combinations = job.Matrix is null ? [[]] : MatrixExpander.Expand(job.Matrix);
            var jobNames = new List<string>(combinations.Count);
            foreach (var combination in combinations)
            {
                var plannedJob = PlanJob(pipeline, job, combination, buildVariables, plannedNeeds, reason);
                jobNames.Add(plannedJob.Name);
                planned.Add(plannedJob);
            }

            names[index] = jobNames;
        }

        return planned;
    }

    private static int[][] NeedIndexes(IReadOnlyList<JobDefinition> jobs)
    {
        var index = new Dictionary<string, int>(jobs.Count, StringComparer.Ordinal);
        for (var i = 0; i < jobs.Count; i++)
        {
            index.TryAdd(jobs[i].Id, i);
        }

        var needs = new int[jobs.Count][];
        for (var i = 0; i < jobs.Count; i++)
        {
            needs[i] = jobs[i].Needs
                .Select(n => index.TryGetValue(n, out var target)
                    ? target
                    : throw new ArgumentException($"Job '{jobs[i].Id}' needs '{n}', which is not a job in this pipeline.", nameof(jobs)))
                .Distinct()
                .ToArray();
        }

        return needs;
    }

    /// <summary>Kahn's algorithm, always taking the ready job that comes first in the file.</summary>
    private static List<int> TopologicalOrder(IReadOnlyList<JobDefinition> jobs, int[][] needs)
    {
        var waitingFor = new int[jobs.Count];
        var neededBy = new List<int>?[jobs.Count];
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < jobs.Count; i++)
        {
            waitingFor[i] = needs[i].Length;
            foreach (var need in needs[i])
            {
                (neededBy[need] ??= []).Add(i);
            }

            if (waitingFor[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<int>(jobs.Count);
        while (ready.TryDequeue(out var job, out _))
        {
            order.Add(job);
            foreach (var next in neededBy[job] ?? [])
            {
                if (--waitingFor[next] == 0)
                {
                    ready.Enqueue(next, next);
                }
            }
        }

        if (order.Count < jobs.Count)
        {
            var stuck = Enumerable.Range(0, jobs.Count).Where(i => waitingFor[i] > 0).Select(i => $"'{jobs[i].Id}'");
            throw new ArgumentException($"The needs of jobs {string.Join(", ", stuck)} form a cycle.", nameof(jobs));
        }

        return order;
    }

    /// <summary>The inputs and event context, as interpolation sees them.</summary>
    private static Dictionary<string, string> BuildVariables(PlanContext context)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in context.Inputs)
        {
            variables.TryAdd(Interpolator.VariableName("KILN_INPUT_", name), value);
        }

        variables.TryAdd("KILN_EVENT", context.Event.ToWire());
        variables.TryAdd("KILN_BRANCH", context.Branch ?? "");
        variables.TryAdd("KILN_TAG", context.Tag ?? "");
        return variables;
    }

    private static PlannedJob PlanJob(
        PipelineDefinition pipeline,
        JobDefinition job,
        IReadOnlyList<KeyValuePair<string, string>> combination,
        Dictionary<string, string> buildVariables,
        IReadOnlyList<string> needs,
        string? skipReason)
    {
        var matrixVariables = new Dictionary<string, string>(combination.Count, StringComparer.Ordinal);
        var matrix = new Dictionary<string, string>(combination.Count, StringComparer.Ordinal);
        foreach (var (axis, value) in combination)
        {
            matrix[axis] = value;
            matrixVariables[Interpolator.VariableName("KILN_MATRIX_", axis)] = value;
        }

        // The env values first, looking other env variables up as written; then everything else,
        // looking env variables up as interpolated, which is what the shell will see.
        var rawEnv = Overlay(pipeline.Env, job.Env);
        var envX = new Interpolator(name =>
            matrixVariables.TryGetValue(name, out var v) || buildVariables.TryGetValue(name, out v) || rawEnv.TryGetValue(name, out v) ? v : null);
        var env = new Dictionary<string, string>(rawEnv.Count + matrixVariables.Count, StringComparer.Ordinal);
        foreach (var (name, value) in rawEnv)
        {
            env[name] = envX.Expand(value);
        }

        foreach (var (name, value) in matrixVariables)
        {
            env[name] = value;
        }

        var x = new Interpolator(name =>
            matrixVariables.TryGetValue(name, out var v) || buildVariables.TryGetValue(name, out v) || env.TryGetValue(name, out v) ? v : null);

        var steps = job.Steps.Select(s => new PlannedStep
        {
            Name = x.Expand(s.Name),
            Run = s.Run,
            Env = StepEnv(env, s.Env, x),
            Timeout = s.Timeout,
            ContinueOnError = s.ContinueOnError,
            WorkingDirectory = Expand(x, s.WorkingDirectory),
            If = s.If,
            Shell = s.Shell,
        }).ToList();

        return new PlannedJob
        {
            Name = MatrixExpander.JobName(job.Id, combination),
            DisplayName = Expand(x, job.DisplayName),
            DefinitionId = job.Id,
            Matrix = matrix,
            Needs = needs,
            Env = env,
            Timeout = job.Timeout,
            Steps = steps,
            RunsOn = job.RunsOn.Select(x.Expand).ToList(),
            Image = Expand(x, job.Image),
            Services = job.Services.Select(s => s with { Image = x.Expand(s.Image), Env = s.Env.ToDictionary(p => p.Key, p => x.Expand(p.Value), StringComparer.Ordinal) }).ToList(),
            Retry = job.Retry,
            AllowFailure = job.AllowFailure,
            Manual = job.Manual,
            Concurrency = job.Concurrency is { } c ? c with { Group = x.Expand(c.Group) } : null,
            Artifacts = job.Artifacts is { } a ? a with { Paths = a.Paths.Select(x.Expand).ToList() } : null,
            Cache = job.Cache is { } k ? new CacheDefinition { Key = x.Expand(k.Key), Paths = k.Paths.Select(x.Expand).ToList() } : null,
            WorkingDirectory = Expand(x, job.WorkingDirectory),
            Shell = job.Shell,
            SkipReason = skipReason,
        };
    }

    private static string? Expand(Interpolator x, string? text) => text is null ? null : x.Expand(text);

    private static IReadOnlyDictionary<string, string> StepEnv(Dictionary<string, string> jobEnv, IReadOnlyDictionary<string, string> stepEnv, Interpolator x)
    {
        if (stepEnv.Count == 0)
        {
            return jobEnv;
        }

        var env = new Dictionary<string, string>(jobEnv, StringComparer.Ordinal);
        foreach (var (name, value) in stepEnv)
        {
            env[name] = x.Expand(value);
        }

        return env;
    }

    private static Dictionary<string, string> Overlay(IReadOnlyDictionary<string, string> under, IReadOnlyDictionary<string, string> over)
    {
        var merged = new Dictionary<string, string>(under.Count + over.Count, StringComparer.Ordinal);
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
