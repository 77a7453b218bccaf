namespace Kiln.Agent;

/// <summary>How an agent reaches its server and where it works.</summary>
public sealed class AgentOptions
{
    public required Uri ServerUrl { get; init; }
    public required string Token { get; init; }
    public required string Name { get; init; }
    /// <summary>Workspaces live under <c>WorkDir/workspaces/</c>, one per job, deleted when it ends.</summary>
    public required string WorkDir { get; init; }
    public int Slots { get; init; } = 1;
    /// <summary>Wait per lease long-poll; the server answers the moment a job is queued.</summary>
    public int LeaseWaitSeconds { get; init; } = 25;
}
