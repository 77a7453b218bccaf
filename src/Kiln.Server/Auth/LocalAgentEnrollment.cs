using Kiln.Data;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Auth;

/// <summary>Gives the agent that <c>kiln server</c> starts beside itself an identity and a fresh
/// token on every start, so it talks to the server like any other agent.</summary>
public sealed class LocalAgentEnrollment(KilnDbContext db, TokenCache tokens, TimeProvider time)
{
    public async Task<string> EnrollAsync(string agentName, int slots, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var agent = await db.Agents.SingleOrDefaultAsync(a => a.Name == agentName, cancellationToken);
        if (agent is null)
        {
            agent = new AgentEntity { Name = agentName, Labels = "local", CreatedAt = now };
            db.Agents.Add(agent);
        }

        agent.Slots = slots;
        agent.LastSeenAt = now;
        await db.SaveChangesAsync(cancellationToken);
        // The previous start's token dies with that process.
        await db.ApiTokens.Where(t => t.AgentId == agent.Id).ExecuteDeleteAsync(cancellationToken);
        var token = Tokens.NewToken();
        db.ApiTokens.Add(new ApiTokenEntity { Name = agentName, Hash = Tokens.Hash(token), AgentId = agent.Id, Scope = "agent", CreatedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        tokens.Invalidate();
        return token;
    }
}
