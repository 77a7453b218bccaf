using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Projects;

public static class ProjectEndpoints
{
    public static IEndpointRouteBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/projects").RequireAuthorization(KilnClaims.UserPolicy).WithTags("Projects");

        group.MapGet("/", async (ProjectService projects, CancellationToken ct) =>
            TypedResults.Ok(await projects.ListAsync(ct)));

        group.MapPost("/", async Task<Results<Created<ProjectResource>, ProblemHttpResult>> (HttpRequest http, ProjectService projects, CancellationToken ct) =>
        {
            var (request, problem) = await JsonBody.ReadAsync(http, KilnJsonContext.Default.CreateProjectRequest, "The body must be a JSON object with 'name' and 'repo' or 'pipeline'", ct);
            if (request is null)
            {
                return problem!;
            }

            var (project, rejection) = await projects.AddAsync(request, ct);
            return project is not null
                ? TypedResults.Created($"/api/v1/projects/{Uri.EscapeDataString(project.Name)}", project)
                : Problems.Invalid(rejection!.Message, rejection.Errors);
        });

        group.MapGet("/{project}", async Task<Results<Ok<ProjectResource>, ProblemHttpResult>> (string project, ProjectService projects, CancellationToken ct) =>
            await projects.GetAsync(project, ct) is { } p ? TypedResults.Ok(p) : Problems.NotFound($"There is no project named '{project}'."));

        group.MapPatch("/{project}", async Task<Results<Ok<ProjectResource>, ProblemHttpResult>> (string project, HttpRequest request, ProjectService projects, CancellationToken ct) =>
        {
            var (patch, problem) = await ProjectPatch.ReadAsync(request, ct);
            if (patch is null)
            {
                return problem!;
            }

            return await projects.UpdateAsync(project, patch, ct) switch
            {
                null => Problems.NotFound($"There is no project named '{project}'."),
                ({ } changed, _) => TypedResults.Ok(changed),
                (_, var rejection) => Problems.Invalid(rejection!.Message, rejection.Errors),
            };
        });

        group.MapDelete("/{project}", async Task<Results<NoContent, ProblemHttpResult>> (string project, ProjectService projects, CancellationToken ct) =>
            await projects.RemoveAsync(project, ct) ? TypedResults.NoContent() : Problems.NotFound($"There is no project named '{project}'."));

        return app;
    }
}
