using System.Globalization;
using System.Security.Claims;
using Kiln.Contracts.Api;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Auth;

/// <summary>API tokens as people manage them: an administrator creates user tokens (for itself) and agent
/// registration tokens; everyone lists and revokes their own, administrators all of them. Secrets are
/// shown once, at creation; only their SHA-256 is kept.</summary>
public sealed class TokenService(KilnDbContext db, TokenCache cache, TimeProvider time)
{
    public const string UserKind = "user";
    public const string RegistrationKind = "agent-registration";
    private static readonly string[] UserScopes = ["read", "write", "admin"];
    private static readonly long MaxLifetimeSeconds = (long)TimeSpan.FromDays(3660).TotalSeconds;

    /// <summary>The new token with its secret, or why the request is invalid.</summary>
    public async Task<(CreatedTokenResource? Token, string? Rejection)> CreateAsync(CreateTokenRequest request, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var kind = request.Kind ?? UserKind;
        if (kind is not (UserKind or RegistrationKind))
        {
            return (null, $"'kind' must be '{UserKind}' or '{RegistrationKind}', not '{kind}'.");
        }

        var scope = kind == RegistrationKind ? KilnClaims.RegistrationScope : request.Scope ?? "write";
        if (kind == UserKind && !UserScopes.Contains(scope))
        {
            return (null, $"'scope' must be read, write or admin, not '{scope}'.");
        }

        if (request.ExpiresInSeconds is { } seconds && (seconds <= 0 || seconds > MaxLifetimeSeconds))
        {
            return (null, "'expiresInSeconds' must be positive and at most ten years.");
        }

        var name = string.IsNullOrWhiteSpace(request.Name) ? (kind == RegistrationKind ? "agent-registration" : "api") : request.Name.Trim();
        if (name.Length > 100)
        {
            return (null, "'name' is at most 100 characters.");
        }

        var now = time.UtcNow();
        var secret = Tokens.NewToken();
        var entity = new ApiTokenEntity
        {
            Name = name,
            Hash = Tokens.Hash(secret),
            UserId = kind == UserKind ? UserIdOf(caller) : null,
            Scope = scope,
            CreatedAt = now,
            ExpiresAt = request.ExpiresInSeconds is { } s ? now.AddSeconds(s) : null,
        };
        db.ApiTokens.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return (new CreatedTokenResource(entity.Id, name, kind, scope, entity.ExpiresAt.AsUtc(), secret), null);
    }

    public async Task<IReadOnlyList<TokenResource>> ListAsync(ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var all = IsAdmin(caller);
        var userId = UserIdOf(caller);
        var rows = await db.ApiTokens.AsNoTracking()
            .Where(t => all || t.UserId == userId)
            .OrderBy(t => t.Id)
            .Select(t => new
            {
                t.Id,
                t.Name,
                t.Scope,
                t.UserId,
                t.AgentId,
                t.CreatedAt,
                t.ExpiresAt,
                User = db.Users.Where(u => u.Id == t.UserId).Select(u => u.Name).FirstOrDefault(),
                Agent = db.Agents.Where(a => a.Id == t.AgentId).Select(a => a.Name).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return rows.Select(t => new TokenResource(
            t.Id,
            t.Name,
            t.AgentId is not null ? "agent" : t.UserId is not null ? UserKind : RegistrationKind,
            t.Scope,
            t.User,
            t.Agent,
            t.CreatedAt.AsUtc(),
            t.ExpiresAt.AsUtc())).ToList();
    }

    /// <summary>Deletes the token at once (requests with it fail from now on); false if the caller cannot see it.
    /// Revoking a registration token leaves the agents it registered: they have their own tokens.</summary>
    public async Task<bool> RevokeAsync(long id, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var all = IsAdmin(caller);
        var userId = UserIdOf(caller);
        var revoked = await db.ApiTokens.Where(t => t.Id == id && (all || t.UserId == userId)).ExecuteDeleteAsync(cancellationToken) == 1;
        if (revoked)
        {
            cache.Invalidate();
        }

        return revoked;
    }

    public static bool IsAdmin(ClaimsPrincipal caller) =>
        caller.HasClaim(KilnClaims.IsAdmin, "true") && caller.HasClaim(KilnClaims.Scope, "admin");

    private static long? UserIdOf(ClaimsPrincipal caller) =>
        caller.FindFirstValue(KilnClaims.UserId) is { } id ? long.Parse(id, CultureInfo.InvariantCulture) : null;
}
