using Kiln.Core.Builds;
using Kiln.Data.Entities;

namespace Kiln.Data.Queue;

/// <summary>Failure reasons and automatic retries. A job that ends other than succeeded gets a typed
/// reason; if its retry policy covers the ending (by default one retry when its agent was lost,
/// never silently for a failing script), a new attempt row is queued beside it and the old one
/// stays, with its own log, as history.</summary>
public static class JobRetry
{
    public const string Script = "script";
    public const string Timeout = "timeout";
    public const string CanceledByUser = "canceled_by_user";
    public const string Superseded = "superseded";
    public const string AgentLost = "agent_lost";
    public const string Infrastructure = "infrastructure";

    public static string? ReasonFor(JobStatus status, bool cancelRequested) => status switch
    {
        JobStatus.Failed => Script,
        JobStatus.TimedOut => Timeout,
        JobStatus.Canceled => cancelRequested ? CanceledByUser : Infrastructure,
        JobStatus.Lost => AgentLost,
        JobStatus.Error => Infrastructure,
        _ => null,
    };

    /// <summary>The next attempt of <paramref name="job"/> if its policy allows one, else null.
    /// The caller adds it and marks the old row as no longer the latest.</summary>
    public static JobEntity? NextAttempt(JobEntity job, DateTime now)
    {
        var covered = job.RetryOn.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(StatusNames.ToWire(job.Status));
        if (!covered || job.CancelRequested || job.Attempt > job.RetryMax)
        {
            return null;
        }

        return new JobEntity
        {
            BuildId = job.BuildId,
            ProjectId = job.ProjectId,
            Ordinal = job.Ordinal,
            Name = job.Name,
            Attempt = job.Attempt + 1,
            Status = JobStatus.Queued,
            QueuedAt = now,
            Needs = job.Needs,
            EnvJson = job.EnvJson,
            MatrixJson = job.MatrixJson,
            TimeoutSeconds = job.TimeoutSeconds,
            AllowFailure = job.AllowFailure,
            RunsOn = job.RunsOn,
            Manual = job.Manual,
            RetryMax = job.RetryMax,
            RetryOn = job.RetryOn,
            SpecJson = job.SpecJson,
            Priority = job.Priority,
            ConcurrencyGroup = job.ConcurrencyGroup,
            Steps = job.Steps.OrderBy(s => s.Index).Select(s => new StepEntity
            {
                Index = s.Index,
                Name = s.Name,
                Run = s.Run,
                EnvJson = s.EnvJson,
                TimeoutSeconds = s.TimeoutSeconds,
                Condition = s.Condition,
                ContinueOnError = s.ContinueOnError,
                WorkingDirectory = s.WorkingDirectory,
                Shell = s.Shell,
                Status = StepStatus.Pending,
            }).ToList(),
        };
    }
}
