namespace Kiln.Contracts.Api;

/// <summary>An agent as <c>GET /api/v1/agents</c> shows it. <c>Status</c> is <c>offline</c> (not seen for two lease
/// times), <c>paused</c>, <c>busy</c> (running at least one job) or <c>idle</c>. <c>FreeDiskBytes</c> (its work
/// folder) and <c>LoadAverage</c> (1 minute) come from its last lease poll or heartbeat.</summary>
public sealed record AgentResource(
    long Id,
    string Name,
    IReadOnlyList<string> Labels,
    int Slots,
    string? Version,
    string? Os,
    string Status,
    DateTimeOffset? LastSeenAt,
    IReadOnlyList<AgentJobResource> RunningJobs,
    long? FreeDiskBytes,
    double? LoadAverage);

/// <summary>A job an agent holds a lease on: <c>project#build</c> and the job's name.</summary>
public sealed record AgentJobResource(string Project, int Build, string Job);
