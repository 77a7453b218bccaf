using Kiln.Data;
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

        // Readiness: migrated and the database answers.
        app.MapGet("/readyz", async Task<Results<ContentHttpResult, ProblemHttpResult>> (DatabaseReadiness readiness, KilnDbContext db, CancellationToken ct) =>
        {
            if (!readiness.Migrated)
            {
                return TypedResults.Problem("The database is not migrated yet.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return await db.Database.CanConnectAsync(ct)
                ? TypedResults.Text("ready\n")
                : TypedResults.Problem("The database does not answer.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }
}
