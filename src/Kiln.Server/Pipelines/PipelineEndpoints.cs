using Kiln.Core.Triggers;
using Kiln.Contracts.Api;
using Kiln.Core.Pipelines;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Pipelines;

/// <summary><c>POST /api/v1/validate</c> and <c>GET /api/v1/schema</c>.</summary>
public static class PipelineEndpoints
{
    private const string SchemaResource = "Kiln.Server.kiln.schema.json";

    public static IEndpointRouteBuilder MapPipelineEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/validate", Results<Ok<ValidateResponse>, ProblemHttpResult> (ValidateRequest? request) =>
        {
            if (request?.Pipeline is not { } yaml)
            {
                return Problems.BadRequest("The body must be a JSON object with 'pipeline' (the YAML text) and optionally 'fileName'.");
            }

            // Without a repository there is nothing to include from; the parser says so at the include.
            var result = PipelineParser.Parse(yaml, string.IsNullOrWhiteSpace(request.FileName) ? ".kiln.yml" : request.FileName);
            var jobs = result.Success ? PipelinePlanner.Plan(result.Pipeline!, new PlanContext { Event = TriggerEvent.Manual }).Select(j => j.Name).ToList() : [];
            return TypedResults.Ok(new ValidateResponse(result.Success, ToWire(result.Errors), ToWire(result.Warnings), jobs));
        }).RequireAuthorization(KilnClaims.UserPolicy).WithTags("Pipelines");

        app.MapGet("/api/v1/schema", async (HttpContext http) =>
        {
            await using var schema = typeof(PipelineEndpoints).Assembly.GetManifestResourceStream(SchemaResource)
                ?? throw new InvalidOperationException("The pipeline schema is missing from the build.");
            http.Response.ContentType = "application/schema+json";
            await schema.CopyToAsync(http.Response.Body, http.RequestAborted);
        }).AllowAnonymous().WithTags("Pipelines");
        return app;
    }

    private static List<Kiln.Contracts.Api.ValidationProblem> ToWire(IEnumerable<PipelineError> problems) =>
        problems.Select(e => new Kiln.Contracts.Api.ValidationProblem(e.File, e.Line, e.Column, e.Message, e.Key, e.Hint)).ToList();
}
