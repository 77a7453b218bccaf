using Kiln.Core.Builds;
using Kiln.Data.Queue;

namespace Kiln.Data.Entities;

public sealed class JobEntity
{
    public long Id { get; set; }
    public long BuildId { get; set; }
    /// <summary>The build's project, copied here so the queue can pick per project without a join.</summary>
    public long ProjectId { get; set; }
    public BuildEntity? Build { get; set; }
    /// <summary>Position in the plan (topological order), for stable listings.</summary>
    public int Ordinal { get; set; }
    public required string Name { get; set; }
    /// <summary>1 for the first run of this job in its build; a retry or rerun is a new row with the next number.</summary>
    public int Attempt { get; set; } = 1;
    /// <summary>False for attempts that a later attempt of the same job replaced.</summary>
    public bool IsLatest { get; set; } = true;
    public JobStatus Status { get; set; }
    /// <summary>Why a job ended other than succeeded.</summary>
    public FailureReason? FailureReason { get; set; }
    /// <summary>Names of the jobs this one needs, separated by '\n'.</summary>
    public string Needs { get; set; } = "";
    /// <summary>The job's environment (pipeline env overlaid by job env) as a JSON object.</summary>
    public string EnvJson { get; set; } = "{}";
    public int? TimeoutSeconds { get; set; }
    /// <summary>Matrix values (axis → value) as a JSON object; "{}" for a plain job.</summary>
    public string MatrixJson { get; set; } = "{}";
    /// <summary>A failure of this job does not fail the build, and jobs that need it still run.</summary>
    public bool AllowFailure { get; set; }
    /// <summary>Agent labels the job needs (<c>runs-on</c>), separated by ','; empty for any agent.</summary>
    public string RunsOn { get; set; } = "";
    /// <summary>How many more attempts a job may get automatically, and for which endings
    /// (comma-separated job statuses: failed, lost, timed_out). Default: one retry when the agent is lost.</summary>
    public int RetryMax { get; set; } = 1;
    public string RetryOn { get; set; } = "lost";
    /// <summary>Waits in <c>manual</c> for a person to approve it once its needs are met.</summary>
    public bool Manual { get; set; }
    /// <summary>The rest of the planned job (runs-on, image, services, retry, concurrency, artifacts,
    /// cache) as JSON, so the lease that reaches the agent can carry it.</summary>
    public string SpecJson { get; set; } = "{}";
    /// <summary>Lease class, lower first: 0 manual/api, 1 push/pull_request/tag, 2 schedule
    /// (<see cref="QueueClass"/>). Set from the build's event; a retry keeps it.</summary>
    public QueueClass Priority { get; set; } = QueueClass.Manual;
    /// <summary><c>concurrency.group</c> scoped to the project, as <c>"{projectId}:{group}"</c>
    /// (<see cref="ConcurrencyGroups.Scope"/>); null for none. A queued job is not leased
    /// while another running job holds the same value.</summary>
    public string? ConcurrencyGroup { get; set; }
    public long? AgentId { get; set; }
    public string? AgentName { get; set; }
    /// <summary>Fencing token of the current lease; reports must carry it.</summary>
    public string? LeaseToken { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public bool CancelRequested { get; set; }
    public string? Message { get; set; }
    /// <summary>Bytes of log stored so far; the offset where the next chunk starts.</summary>
    public long LogBytes { get; set; }
    /// <summary>The next log chunk sequence expected from the agent.</summary>
    public long NextLogSequence { get; set; }
    public DateTime? QueuedAt { get; set; }
    /// <summary>A queued job is not leased before this time (the project's cooldown after a push); null for at once.</summary>
    public DateTime? NotBefore { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public List<StepEntity> Steps { get; set; } = [];

    /// <summary>The names in a stored <see cref="Needs"/>.</summary>
    public static IReadOnlyList<string> SplitNeeds(string needs) =>
        needs.Length == 0 ? [] : needs.Split('\n');
}
