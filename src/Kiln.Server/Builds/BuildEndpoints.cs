using Kiln.Core.Triggers;
using System.Security.Claims;
using Kiln.Contracts.Api;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Builds;

public static class BuildEndpoints
{
    public static IEndpointRouteBuilder MapBuildEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/projects/{project}/builds").RequireAuthorization(KilnClaims.UserPolicy).WithTags("Builds");

        group.MapGet("/", async Task<Results<Ok<IReadOnlyList<BuildResource>>, ProblemHttpResult>> (string project, int? limit, BuildQueries queries, CancellationToken ct) =>
            await queries.ListAsync(project, Math.Clamp(limit ?? 20, 1, 200), ct) is { } builds
                ? TypedResults.Ok(builds)
                : Problems.NotFound($"There is no project named '{project}'."));

        group.MapPost("/", CreateAsync);

        group.MapGet("/{number:int}", async Task<Results<Ok<BuildResource>, ProblemHttpResult>> (string project, int number, BuildQueries queries, CancellationToken ct) =>
            await queries.GetAsync(project, number, ct) is { } build ? TypedResults.Ok(build) : BuildNotFound(project, number));

        group.MapPost("/{number:int}/cancel", async Task<Results<Accepted<BuildResource>, ProblemHttpResult>> (string project, int number, ClaimsPrincipal user, BuildCanceler canceler, BuildQueries queries, CancellationToken ct) =>
            await canceler.CancelAsync(project, number, ActorOf(user), ct) is { } id && await queries.GetByIdAsync(id, ct) is { } build
                ? TypedResults.Accepted((string?)null, build)
                : BuildNotFound(project, number));

        group.MapPost("/{number:int}/jobs/{job}/approve", async Task<Results<Accepted<JobResource>, ProblemHttpResult>> (string project, int number, string job, ClaimsPrincipal user, JobApprover approver, CancellationToken ct) =>
            await approver.ApproveAsync(project, number, job, ActorOf(user), ct) switch
            {
                (JobResource approved, null) => TypedResults.Accepted((string?)null, approved),
                (_, var problem) => problem!,
            });

        group.MapGet("/{number:int}/jobs/{job}", async Task<Results<Ok<JobResource>, ProblemHttpResult>> (string project, int number, string job, BuildQueries queries, CancellationToken ct) =>
            await queries.GetJobAsync(project, number, job, ct) is { } j
                ? TypedResults.Ok(j)
                : Problems.NotFound($"Build {project}#{number} has no job '{job}'."));

        return app;
    }

    private static async Task<Results<Created<BuildResource>, Ok<BuildResource>, ProblemHttpResult>> CreateAsync(
        string project,
        bool? wait,
        CreateBuildRequest? request,
        ClaimsPrincipal user,
        BuildTrigger trigger,
        BuildQueries queries,
        KilnDbContext db,
        ChangeNotifier notifier,
        CancellationToken ct)
    {
        var inputs = request?.Inputs ?? new Dictionary<string, string>();
        var eventName = request?.Event ?? "api";
        if (!TriggerEvents.TryParse(eventName, out var triggerEvent) || triggerEvent is not (TriggerEvent.Api or TriggerEvent.Manual))
        {
            return Problems.Invalid($"'event' must be 'api' or 'manual', not '{eventName}'.");
        }

        var result = await trigger.TriggerAsync(new TriggerRequest(project, request?.Ref, inputs, triggerEvent, ActorOf(user)), ct);
        switch (result.Failure)
        {
            case TriggerFailure.ProjectNotFound:
                return Problems.NotFound(result.Message!);
            case TriggerFailure.Rejected:
                return Problems.Invalid(result.Message!, result.Errors);
            case TriggerFailure.PipelineInvalid:
                return Problems.Invalid(result.Message!, result.Errors, new Dictionary<string, object?> { ["build"] = result.BuildNumber });
        }

        var buildId = result.BuildId!.Value;
        if (wait == true)
        {
            await WaitForEndAsync(db, notifier, buildId, ct);
            return TypedResults.Ok((await queries.GetByIdAsync(buildId, ct))!);
        }

        var build = (await queries.GetByIdAsync(buildId, ct))!;
        return TypedResults.Created($"/api/v1/projects/{Uri.EscapeDataString(project)}/builds/{build.Number}", build);
    }

    /// <summary>Holds the request until the build ends (or the client goes away).</summary>
    private static async Task WaitForEndAsync(KilnDbContext db, ChangeNotifier notifier, long buildId, CancellationToken ct)
    {
        while (true)
        {
            var waiter = notifier.Waiter(ChangeNotifier.Build(buildId));
            var status = await db.Builds.AsNoTracking().Where(b => b.Id == buildId).Select(b => b.Status).SingleAsync(ct);
            if (StatusRules.IsTerminal(status))
            {
                return;
            }

            await ChangeNotifier.WaitAsync(waiter, TimeSpan.FromSeconds(5), ct);
        }
    }

    private static ProblemHttpResult BuildNotFound(string project, int number) =>
        Problems.NotFound($"There is no build {project}#{number}.");

    /// <summary>Who the caller is, as builds and the event log name them.</summary>
    internal static string ActorOf(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
