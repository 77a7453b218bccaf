using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Kiln.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Auth;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the hashed tokens in the database,
/// remembering valid ones for a few seconds (<see cref="TokenCache"/>).</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KilnDbContext db,
    TokenCache cache,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "KilnToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = Tokens.Hash(header["Bearer ".Length..].Trim());
        if (!cache.TryGet(hash, out var token))
        {
            token = await LookUpAsync(hash);
        }

        if (token is null)
        {
            return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
        }

        var claims = new List<Claim> { new(KilnClaims.Scope, token.Scope), new(KilnClaims.TokenId, token.Id.ToString(CultureInfo.InvariantCulture)) };
        if (token.AgentId is { } agentId)
        {
            claims.Add(new Claim(KilnClaims.Kind, "agent"));
            claims.Add(new Claim(KilnClaims.AgentId, agentId.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim(ClaimTypes.Name, "agent:" + token.Name));
        }
        else if (token.UserId is { } userId)
        {
            claims.Add(new Claim(KilnClaims.Kind, "user"));
            claims.Add(new Claim(KilnClaims.UserId, userId.ToString(CultureInfo.InvariantCulture)));
            claims.Add(new Claim(ClaimTypes.Name, token.UserName ?? token.Name));
            if (token.IsAdmin)
            {
                claims.Add(new Claim(KilnClaims.IsAdmin, "true"));
            }
        }
        else if (token.Scope == KilnClaims.RegistrationScope)
        {
            // May only register agents (see KilnClaims.RegistrationPolicy).
            claims.Add(new Claim(KilnClaims.Kind, "registration"));
            claims.Add(new Claim(ClaimTypes.Name, "registration:" + token.Name));
        }
        else
        {
            return AuthenticateResult.Fail("The token belongs to nobody.");
        }

        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>The token (and its user) from the database, cached when valid; null when unknown, revoked or expired.</summary>
    private async Task<CachedToken?> LookUpAsync(string hash)
    {
        var generation = cache.Generation;
        var now = time.GetUtcNow().UtcDateTime;
        var row = await db.ApiTokens.AsNoTracking()
            .Where(t => t.Hash == hash && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new { t.Id, t.Name, t.UserId, t.AgentId, t.Scope, t.ExpiresAt })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (row is null)
        {
            return null;
        }

        string? userName = null;
        var isAdmin = false;
        if (row.AgentId is null && row.UserId is { } userId)
        {
            var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Name, u.IsAdmin }).SingleOrDefaultAsync(Context.RequestAborted);
            userName = user?.Name;
            isAdmin = user?.IsAdmin == true;
        }

        var token = new CachedToken(row.Id, row.Name, row.UserId, row.AgentId, row.Scope, userName, isAdmin);
        cache.Add(hash, token, row.ExpiresAt, generation);
        return token;
    }
}
