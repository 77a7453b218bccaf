using System.Security.Claims;
using System.Text.Encodings.Web;
using Kiln.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Auth;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the hashed tokens in the database.</summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KilnDbContext db,
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
        var now = time.GetUtcNow().UtcDateTime;
        var token = await db.ApiTokens.AsNoTracking()
            .Where(t => t.Hash == hash && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new { t.Name, t.UserId, t.AgentId, t.Scope })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
        }

        var claims = new List<Claim> { new(KilnClaims.Scope, token.Scope) };
        if (token.AgentId is { } agentId)
        {
            claims.Add(new Claim(KilnClaims.Kind, "agent"));
            claims.Add(new Claim(KilnClaims.AgentId, agentId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            claims.Add(new Claim(ClaimTypes.Name, "agent:" + token.Name));
        }
        else
        {
            var user = await db.Users.AsNoTracking().Where(u => u.Id == token.UserId).Select(u => u.Name).SingleOrDefaultAsync(Context.RequestAborted);
            claims.Add(new Claim(KilnClaims.Kind, "user"));
            claims.Add(new Claim(ClaimTypes.Name, user ?? token.Name));
        }

        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
