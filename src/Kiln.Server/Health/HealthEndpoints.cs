using Kiln.Data;
using Kiln.Server.Projects;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Liveness: the process serves requests.
        app.MapGet("/healthz", () => TypedResults.Text("ok\n")).AllowAnonymous();

        // Readiness: migrated and the database answers. Without git the server is still ready (task-only
        // projects work), so that is a warning line, not a 503.
        app.MapGet("/readyz", async Task<Results<ContentHttpResult, ProblemHttpResult>> (DatabaseReadiness readiness, KilnDbContext db, Git git, CancellationToken ct) =>
        {
            if (!readiness.Migrated)
            {
                return TypedResults.Problem("The database is not migrated yet.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return await db.Database.CanConnectAsync(ct)
                ? TypedResults.Text(git.Problem is { } missing ? $"ready\nwarning: {missing}. {GitUnavailableException.Advice}\n" : "ready\n")
                : TypedResults.Problem("The database does not answer.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }
}
