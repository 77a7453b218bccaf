using Kiln.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Queue;

public static class QueueEndpoints
{
    /// <summary><c>GET /api/v1/queue</c>: jobs not started yet, queued ones first in lease order.</summary>
    public static IEndpointRouteBuilder MapQueueEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queue", async (QueueQueries queue, CancellationToken ct) => TypedResults.Ok(await queue.ListAsync(ct)))
            .RequireAuthorization(KilnClaims.UserPolicy)
            .WithTags("Queue");
        return app;
    }
}
