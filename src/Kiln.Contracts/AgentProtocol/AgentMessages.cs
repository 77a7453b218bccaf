namespace Kiln.Contracts.AgentProtocol;

// Agent protocol v1. Every call is an HTTP POST under /api/v1/agent/ with the agent's bearer token.
// Every report about a job carries the lease token it was handed; a report with a stale token is
// refused with 409 Conflict and the agent must stop working on that job at once (fencing: the job
// may already belong to another agent). Reports are idempotent so the agent may resend after a
// timeout: a log chunk is keyed by (job, sequence), a step report by (job, step index, status).

/// <summary><c>POST /api/v1/agent/lease</c>: a long poll. Blocks up to <c>WaitSeconds</c> (at most 30, and at
/// most the server's lease time, so an idle agent is seen at least once per lease) and returns 200 with a
/// <see cref="JobLease"/> the moment a job the agent can run is queued (its labels include all of the job's
/// <c>runs-on</c>), or 204 when none came. A paused agent gets 204 at once. The optional host figures
/// (free disk of the work folder, 1-minute load average) are stored on the agent, as with heartbeats.</summary>
public sealed record LeaseRequest(int WaitSeconds, long? FreeDiskBytes = null, double? LoadAverage = null);

/// <summary>Everything an agent needs to run a job; the agent knows nothing else of the server.</summary>
public sealed record JobLease(
    long JobId,
    string LeaseToken,
    DateTimeOffset LeaseExpiresAt,
    int LeaseSeconds,
    string Project,
    long BuildId,
    int BuildNumber,
    string JobName,
    JobSource? Source,
    int? TimeoutSeconds,
    long LogCapBytes,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<StepSpec> Steps,
    JobRequirements? Requirements = null);

/// <summary>What the job asks of the agent beyond its steps, planned from <c>.kiln.yml</c>:
/// the matrix values, labels, container image and services, artifacts and cache. An agent that cannot
/// carry out a part yet (today's shell executor has no containers) says so in the job's log.</summary>
public sealed record JobRequirements(
    IReadOnlyDictionary<string, string> Matrix,
    IReadOnlyList<string> RunsOn,
    string? Image,
    IReadOnlyList<ServiceSpec> Services,
    ArtifactSpec? Artifacts,
    CacheSpec? Cache);

public sealed record ServiceSpec(string Name, string Image, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> Ports);

public sealed record ArtifactSpec(IReadOnlyList<string> Paths, int? ExpireSeconds);

public sealed record CacheSpec(string Key, IReadOnlyList<string> Paths);

/// <summary>Where the workspace comes from: fetch <c>Commit</c> from <c>RepoUrl</c>. Null for task-only projects.</summary>
public sealed record JobSource(string RepoUrl, string Commit);

/// <summary>One step. <c>If</c> is <c>success</c> (run while nothing failed), <c>failure</c> (only after a
/// failure) or <c>always</c>; a step with <c>ContinueOnError</c> that fails does not fail the job.
/// <c>WorkingDirectory</c> is relative to the workspace; <c>Shell</c> null means bash.</summary>
public sealed record StepSpec(
    int Index,
    string Name,
    string Run,
    IReadOnlyDictionary<string, string> Environment,
    int? TimeoutSeconds,
    string If = "success",
    bool ContinueOnError = false,
    string? WorkingDirectory = null,
    string? Shell = null);

/// <summary><c>POST /api/v1/agent/jobs/{jobId}/heartbeat</c>: renews the lease. Sent every third of the lease.
/// <c>FreeDiskBytes</c> (free space of the agent's work folder) and <c>LoadAverage</c> (1 minute, from
/// <c>/proc/loadavg</c>) are optional; the server stores them on the agent with its last-seen time.</summary>
public sealed record HeartbeatRequest(string LeaseToken, long? FreeDiskBytes = null, double? LoadAverage = null);

/// <summary>The renewed expiry, and whether a person asked to cancel the job.</summary>
public sealed record HeartbeatResponse(DateTimeOffset LeaseExpiresAt, bool CancelRequested);

/// <summary><c>POST /api/v1/agent/jobs/{jobId}/watch</c>: a long poll that returns as soon as the job is
/// canceled (<c>CancelRequested</c> true) or after up to <c>WaitSeconds</c> (false).</summary>
public sealed record WatchRequest(string LeaseToken, int WaitSeconds);

public sealed record WatchResponse(bool CancelRequested);

/// <summary><c>POST /api/v1/agent/jobs/{jobId}/steps/{index}</c>: a step started or ended.
/// Status is a step wire status (running, succeeded, failed, canceled, timed_out, skipped).</summary>
public sealed record StepReport(string LeaseToken, string Status, int? ExitCode, DateTimeOffset At);

/// <summary>A chunk of a job's log, as <see cref="LogChunkWire"/> puts it on the wire.
/// <c>Text</c> is whole lines, each ending in '\n'. <c>Times</c> gives each line's timestamp compactly:
/// entry (line, unixMs) means lines from index <c>line</c> on were read at <c>unixMs</c>, until the next entry.</summary>
public sealed record LogChunkUpload(string LeaseToken, long Sequence, string Text, int LineCount, IReadOnlyList<LineTime> Times);

public sealed record LineTime(int Line, long UnixMs);

/// <summary><c>POST /api/v1/agent/jobs/{jobId}/complete</c>: the job's final status (job wire status)
/// and, for <c>error</c>, why. The lease ends with it.</summary>
public sealed record CompleteJobRequest(string LeaseToken, string Status, string? Message);

/// <summary>Answer to a log append, step report or completion: whether the job was canceled meanwhile.</summary>
public sealed record AgentAck(bool CancelRequested);
