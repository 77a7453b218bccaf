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
    /// <summary>The labels jobs may ask for with <c>runs-on</c>; the agent adds its OS and architecture
    /// (<see cref="AgentHost.ImplicitLabels"/>) and says them all to the server on every start.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
    /// <summary>Wait per lease long-poll; the server answers the moment a job is queued.</summary>
    public int LeaseWaitSeconds { get; init; } = 25;

    /// <summary><see cref="Labels"/> with the implicit ones, without duplicates.</summary>
    public IReadOnlyList<string> AllLabels => Labels.Concat(AgentHost.ImplicitLabels).Distinct(StringComparer.Ordinal).ToList();
}
