using Kiln.Contracts.Api;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Agents;

/// <summary><c>/api/v1/agents</c>: list agents (any user token); pause, resume and remove (administrators).
/// <c>{agent}</c> is an agent's id or name.</summary>
public static class AgentsEndpoints
{
    public static IEndpointRouteBuilder MapAgentsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/agents").RequireAuthorization(KilnClaims.UserPolicy).WithTags("Agents");

        group.MapGet("/", async (AgentDirectory agents, CancellationToken ct) => TypedResults.Ok(await agents.ListAsync(ct)));

        group.MapGet("/{agent}", async Task<Results<Ok<AgentResource>, ProblemHttpResult>> (string agent, AgentDirectory agents, CancellationToken ct) =>
            await agents.GetAsync(agent, ct) is { } a ? TypedResults.Ok(a) : NotFound(agent));

        group.MapPost("/{agent}/pause", async Task<Results<Ok<AgentResource>, ProblemHttpResult>> (string agent, AgentDirectory agents, CancellationToken ct) =>
            await agents.SetPausedAsync(agent, true, ct) is { } a ? TypedResults.Ok(a) : NotFound(agent))
            .RequireAuthorization(KilnClaims.AdminPolicy);

        group.MapPost("/{agent}/resume", async Task<Results<Ok<AgentResource>, ProblemHttpResult>> (string agent, AgentDirectory agents, ChangeNotifier notifier, CancellationToken ct) =>
        {
            if (await agents.SetPausedAsync(agent, false, ct) is not { } a)
            {
                return NotFound(agent);
            }

            notifier.Notify(ChangeNotifier.Work);
            return TypedResults.Ok(a);
        }).RequireAuthorization(KilnClaims.AdminPolicy);

        group.MapDelete("/{agent}", async Task<Results<NoContent, ProblemHttpResult>> (string agent, AgentDirectory agents, CancellationToken ct) =>
            await agents.RemoveAsync(agent, ct) ? TypedResults.NoContent() : NotFound(agent))
            .RequireAuthorization(KilnClaims.AdminPolicy);

        return app;
    }

    private static ProblemHttpResult NotFound(string agent) => Problems.NotFound($"There is no agent '{agent}' (by id or name).");
}
