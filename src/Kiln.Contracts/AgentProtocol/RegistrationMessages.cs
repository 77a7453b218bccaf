namespace Kiln.Contracts.AgentProtocol;

/// <summary><c>POST /api/v1/agent/register</c> with a registration token (<c>kiln token create --agent</c>), the
/// only route such a token may call. Creates the agent and answers its own agent token, once. A name taken by an
/// agent that another registration token made answers 409; the same registration token may register the same
/// name again (an agent that lost its identity file), which replaces that agent's token.
/// <c>Labels</c> are letters, digits, '.', '_' and '-'; <c>Slots</c> 1–64.</summary>
public sealed record RegisterAgentRequest(string? Name, IReadOnlyList<string>? Labels, int Slots = 1, string? Version = null, string? Os = null);

/// <summary>The agent's identity: it keeps <c>Token</c> (in <c>WORK/agent.json</c>) and uses it for every other call.</summary>
public sealed record RegisterAgentResponse(long AgentId, string Name, string Token);

/// <summary><c>POST /api/v1/agent/hello</c> with the agent token, on every start of an agent: replaces the agent's
/// labels, slots, version and OS with what it runs with now, and checks that the token is still accepted
/// (401 once the agent was removed). Idempotent.</summary>
public sealed record AgentHelloRequest(IReadOnlyList<string>? Labels, int Slots = 1, string? Version = null, string? Os = null, long? FreeDiskBytes = null, double? LoadAverage = null);

/// <summary>Who the server thinks the agent is, whether a person paused it, and the lease time it will hand out.</summary>
public sealed record AgentHelloResponse(long AgentId, string Name, IReadOnlyList<string> Labels, bool Paused, int LeaseSeconds);
