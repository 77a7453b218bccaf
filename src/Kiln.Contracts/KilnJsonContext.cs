using System.Text.Json;
using System.Text.Json.Serialization;
using Kiln.Contracts.AgentProtocol;
using Kiln.Contracts.Api;

namespace Kiln.Contracts;

/// <summary>Source-generated JSON for every wire type: camelCase, nulls kept so shapes are stable.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProjectResource))]
[JsonSerializable(typeof(List<ProjectResource>))]
[JsonSerializable(typeof(CreateProjectRequest))]
[JsonSerializable(typeof(BuildResource))]
[JsonSerializable(typeof(List<BuildResource>))]
[JsonSerializable(typeof(JobResource))]
[JsonSerializable(typeof(CreateBuildRequest))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(JobLease))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(WatchRequest))]
[JsonSerializable(typeof(WatchResponse))]
[JsonSerializable(typeof(StepReport))]
[JsonSerializable(typeof(CompleteJobRequest))]
[JsonSerializable(typeof(AgentAck))]
[JsonSerializable(typeof(RegisterAgentRequest))]
[JsonSerializable(typeof(RegisterAgentResponse))]
[JsonSerializable(typeof(AgentHelloRequest))]
[JsonSerializable(typeof(AgentHelloResponse))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(TokenResource))]
[JsonSerializable(typeof(List<TokenResource>))]
[JsonSerializable(typeof(CreatedTokenResource))]
[JsonSerializable(typeof(AgentResource))]
[JsonSerializable(typeof(List<AgentResource>))]
[JsonSerializable(typeof(ProblemResource))]
[JsonSerializable(typeof(List<QueuedJobResource>))]
[JsonSerializable(typeof(ValidateRequest))]
[JsonSerializable(typeof(ValidateResponse))]
[JsonSerializable(typeof(EventResource))]
[JsonSerializable(typeof(WebhookResponse))]
public sealed partial class KilnJsonContext : JsonSerializerContext;
