using System.Text.Json;
using Kiln.Core.Builds;
using Kiln.Core.Pipelines;
using Kiln.Data.Entities;
using Kiln.Data.Queue;

namespace Kiln.Server.Builds;

/// <summary>Turns a planned job into its database rows: everything the agent will need travels with it.</summary>
public static class JobRows
{
    /// <param name="priority">The build's lease class, <see cref="QueueClasses.For"/> of its event.</param>
    /// <param name="projectId">Scopes the job's <c>concurrency.group</c> to its project.</param>
    public static JobEntity From(PlannedJob job, int ordinal, DateTime now, QueueClass priority, long projectId)
    {
        var status = job.SkipReason is not null ? JobStatus.Skipped
            : job.Needs.Count > 0 ? JobStatus.Waiting
            : job.Manual ? JobStatus.Manual
            : JobStatus.Queued;
        return new JobEntity
        {
            ProjectId = projectId,
            Name = job.Name,
            Ordinal = ordinal,
            Status = status,
            Message = job.SkipReason,
            QueuedAt = status == JobStatus.Queued ? now : null,
            FinishedAt = status == JobStatus.Skipped ? now : null,
            Needs = string.Join('\n', job.Needs),
            EnvJson = JsonSerializer.Serialize(job.Env),
            MatrixJson = JsonSerializer.Serialize(job.Matrix),
            TimeoutSeconds = Seconds(job.Timeout),
            AllowFailure = job.AllowFailure,
            RunsOn = string.Join(',', job.RunsOn),
            RetryMax = job.Retry?.Max ?? 1,
            RetryOn = string.Join(',', job.Retry?.On ?? ["lost"]),
            Manual = job.Manual,
            SpecJson = JsonSerializer.Serialize(JobSpec.From(job)),
            Priority = priority,
            ConcurrencyGroup = job.Concurrency is { } c ? ConcurrencyGroups.Scope(projectId, c.Group) : null,
            Steps = job.Steps.Select((s, i) => new StepEntity
            {
                Index = i,
                Name = s.Name,
                Run = s.Run,
                EnvJson = JsonSerializer.Serialize(s.Env),
                TimeoutSeconds = Seconds(s.Timeout),
                Condition = s.If switch
                {
                    StepCondition.Always => "always",
                    StepCondition.Failure => "failure",
                    _ => "success",
                },
                ContinueOnError = s.ContinueOnError,
                WorkingDirectory = s.WorkingDirectory ?? job.WorkingDirectory,
                Shell = s.Shell ?? job.Shell,
                Status = status == JobStatus.Skipped ? StepStatus.Skipped : StepStatus.Pending,
            }).ToList(),
        };
    }

    private static int? Seconds(TimeSpan? value) => value is { } v ? (int)Math.Ceiling(v.TotalSeconds) : null;
}

/// <summary>The parts of a planned job that later features carry out (labels, containers, retries,
/// concurrency, artifacts, caches), kept as JSON on the job row.</summary>
public sealed record JobSpec(
    IReadOnlyList<string> RunsOn,
    string? Image,
    IReadOnlyList<ServiceDefinition> Services,
    RetryPolicy? Retry,
    ConcurrencyDefinition? Concurrency,
    ArtifactsDefinition? Artifacts,
    CacheDefinition? Cache)
{
    public static JobSpec From(PlannedJob job) =>
        new(job.RunsOn, job.Image, job.Services, job.Retry, job.Concurrency, job.Artifacts, job.Cache);
}
