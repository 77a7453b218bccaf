using System.Security.Claims;
using Kiln.Contracts.Api;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Auth;

/// <summary><c>/api/v1/tokens</c>: create (administrators), list and revoke API tokens.</summary>
public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/tokens").RequireAuthorization(KilnClaims.UserPolicy).WithTags("Tokens");

        group.MapPost("/", async Task<Results<Created<CreatedTokenResource>, ProblemHttpResult>> (CreateTokenRequest? request, ClaimsPrincipal caller, TokenService tokens, CancellationToken ct) =>
        {
            if (request is null)
            {
                return Problems.BadRequest("The body must be a JSON object with 'kind' (user or agent-registration) and, for user tokens, 'scope'.");
            }

            var (token, rejection) = await tokens.CreateAsync(request, caller, ct);
            return token is not null ? TypedResults.Created($"/api/v1/tokens/{token.Id}", token) : Problems.Invalid(rejection!);
        }).RequireAuthorization(KilnClaims.AdminPolicy);

        group.MapGet("/", async (ClaimsPrincipal caller, TokenService tokens, CancellationToken ct) =>
            TypedResults.Ok(await tokens.ListAsync(caller, ct)));

        group.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (long id, ClaimsPrincipal caller, TokenService tokens, CancellationToken ct) =>
            await tokens.RevokeAsync(id, caller, ct) ? TypedResults.NoContent() : Problems.NotFound($"There is no token {id}."));

        return app;
    }
}
