using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Kiln.Contracts.AgentProtocol;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kiln.Server.AgentApi;

/// <summary>How a remote agent joins (register, with a registration token) and says who it is on every
/// start (hello, with its agent token). See <see cref="RegisterAgentRequest"/> for the rules.</summary>
public sealed partial class AgentRegistration(KilnDbContext db, TokenCache tokens, TimeProvider time, IOptions<KilnServerOptions> options)
{
    public enum Outcome
    {
        Registered,
        Invalid,
        NameTaken,
    }

    public async Task<(Outcome Outcome, RegisterAgentResponse? Agent, string? Message)> RegisterAsync(RegisterAgentRequest request, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        if (Validate(true, request.Name, request.Labels, request.Slots, request.Version, request.Os) is { } invalid)
        {
            return (Outcome.Invalid, null, invalid);
        }

        var name = request.Name!;
        var registrationId = long.Parse(caller.FindFirstValue(KilnClaims.TokenId)!, CultureInfo.InvariantCulture);
        var now = time.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var agent = await db.Agents.SingleOrDefaultAsync(a => a.Name == name, cancellationToken);
        if (agent is not null && agent.RegistrationTokenId != registrationId)
        {
            return (Outcome.NameTaken, null, $"An agent named '{name}' is already registered; start this one with another --name, or remove that agent first (kiln agents remove {name}).");
        }

        if (agent is null)
        {
            agent = new AgentEntity { Name = name, CreatedAt = now, RegistrationTokenId = registrationId };
            db.Agents.Add(agent);
        }

        Apply(agent, request.Labels, request.Slots, request.Version, request.Os, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another registration of the same name won the race (unique index).
            return (Outcome.NameTaken, null, $"An agent named '{name}' is already registered.");
        }

        // Registering again (the agent lost its identity file) retires the token it had.
        await db.ApiTokens.Where(t => t.AgentId == agent.Id).ExecuteDeleteAsync(cancellationToken);
        var token = Tokens.NewToken();
        db.ApiTokens.Add(new ApiTokenEntity { Name = name, Hash = Tokens.Hash(token), AgentId = agent.Id, Scope = KilnClaims.AgentScope, CreatedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        tokens.Invalidate();
        return (Outcome.Registered, new RegisterAgentResponse(agent.Id, name, token), null);
    }

    /// <returns>The agent as it is now, or a message saying why the request is invalid.</returns>
    public async Task<(AgentHelloResponse? Agent, string? Message)> HelloAsync(AgentHelloRequest request, long agentId, CancellationToken cancellationToken)
    {
        if (Validate(false, null, request.Labels, request.Slots, request.Version, request.Os) is { } invalid)
        {
            return (null, invalid);
        }

        var agent = await db.Agents.SingleAsync(a => a.Id == agentId, cancellationToken);
        Apply(agent, request.Labels, request.Slots, request.Version, request.Os, time.UtcNow());
        agent.FreeDiskBytes = request.FreeDiskBytes ?? agent.FreeDiskBytes;
        agent.LoadAverage = request.LoadAverage ?? agent.LoadAverage;
        await db.SaveChangesAsync(cancellationToken);
        return (new AgentHelloResponse(agent.Id, agent.Name, SplitLabels(agent.Labels), agent.Paused, options.Value.LeaseSeconds), null);
    }

    /// <summary>Stores when the agent was last seen and the host figures it sent, if any.</summary>
    public Task SeenAsync(long agentId, long? freeDiskBytes, double? loadAverage, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        return db.Agents.Where(a => a.Id == agentId).ExecuteUpdateAsync(
            s => s.SetProperty(a => a.LastSeenAt, now)
                .SetProperty(a => a.FreeDiskBytes, a => freeDiskBytes ?? a.FreeDiskBytes)
                .SetProperty(a => a.LoadAverage, a => loadAverage ?? a.LoadAverage),
            cancellationToken);
    }

    public static IReadOnlyList<string> SplitLabels(string labels) => labels.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static void Apply(AgentEntity agent, IReadOnlyList<string>? labels, int slots, string? version, string? os, DateTime now)
    {
        agent.Labels = string.Join(',', (labels ?? []).Distinct(StringComparer.Ordinal));
        agent.Slots = slots;
        agent.Version = version;
        agent.Os = os;
        agent.LastSeenAt = now;
    }

    private static string? Validate(bool checkName, string? name, IReadOnlyList<string>? labels, int slots, string? version, string? os)
    {
        if (checkName && (name is null || !NamePattern().IsMatch(name)))
        {
            return "'name' must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit.";
        }

        if (labels?.FirstOrDefault(l => !LabelPattern().IsMatch(l ?? "")) is { } bad)
        {
            return $"The label '{bad}' is not valid: use 1-50 letters, digits, '.', '_' or '-'.";
        }

        if (slots is < 1 or > 64)
        {
            return "'slots' must be between 1 and 64.";
        }

        return version?.Length > 100 || os?.Length > 100 ? "'version' and 'os' are at most 100 characters." : null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,50}$")]
    private static partial Regex LabelPattern();
}
