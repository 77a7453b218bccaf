using Kiln.Core.Builds;

namespace Kiln.Data.Entities;

public sealed class JobEntity
{
    public long Id { get; set; }
    public long BuildId { get; set; }
    public BuildEntity? Build { get; set; }
    /// <summary>Position in the plan (topological order), for stable listings.</summary>
    public int Ordinal { get; set; }
    public required string Name { get; set; }
    public JobStatus Status { get; set; }
    /// <summary>Names of the jobs this one needs, separated by '\n'.</summary>
    public string Needs { get; set; } = "";
    /// <summary>The job's environment (pipeline env overlaid by job env) as a JSON object.</summary>
    public string EnvJson { get; set; } = "{}";
    public int? TimeoutSeconds { get; set; }
    /// <summary>Matrix values (axis → value) as a JSON object; "{}" for a plain job.</summary>
    public string MatrixJson { get; set; } = "{}";
    /// <summary>A failure of this job does not fail the build, and jobs that need it still run.</summary>
    public bool AllowFailure { get; set; }
    /// <summary>Waits in <c>manual</c> for a person to approve it once its needs are met.</summary>
    public bool Manual { get; set; }
    /// <summary>The rest of the planned job (runs-on, image, services, retry, concurrency, artifacts,
    /// cache) as JSON, so the lease that reaches the agent can carry it.</summary>
    public string SpecJson { get; set; } = "{}";
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
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public List<StepEntity> Steps { get; set; } = [];
}
