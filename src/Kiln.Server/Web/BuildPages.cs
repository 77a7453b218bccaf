using System.Security.Claims;
using Kiln.Data.Events;
using Kiln.Server.Builds;
using Kiln.Server.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Web;

/// <summary>A build's page (its jobs live, cancel, approve) and a job's log page.</summary>
public static class BuildPages
{
    public static RouteGroupBuilder MapBuildPages(this RouteGroupBuilder pages)
    {
        pages.MapGet("/projects/{project}/builds/{number:int}", async (string project, int number, HttpContext http, PageRenderer render, BuildQueries builds, EventLog events, CancellationToken ct) =>
        {
            var live = DashboardPages.LiveUrl(await events.LastIdAsync(ct), project);
            return await builds.GetAsync(project, number, ct) is { } build
                ? render.Page<BuildPage>(http, $"{project}#{number}", new Dictionary<string, object?> { ["Build"] = build }, live)
                : ProjectPages.NotFound(http, render, $"There is no build {project}#{number}.");
        });
        pages.MapGet("/ui/panels/build/{project}/{number:int}", async (string project, int number, HttpContext http, PageRenderer render, BuildQueries builds, CancellationToken ct) =>
            await builds.GetAsync(project, number, ct) is { } build
                ? render.Panel<BuildPanel>(new Dictionary<string, object?> { ["Build"] = build, ["Csrf"] = render.Frame(http, "").Csrf })
                : Results.NotFound());
        pages.MapGet("/projects/{project}/builds/{number:int}/jobs/{job}", async (string project, int number, string job, HttpContext http, PageRenderer render, BuildQueries builds, CancellationToken ct) =>
        {
            var build = await builds.GetAsync(project, number, ct);
            return build?.Jobs.FirstOrDefault(j => j.Name == job) is { } found
                ? render.Page<JobPage>(http, $"{job} · {project}#{number}", new Dictionary<string, object?> { ["Build"] = build, ["Job"] = found })
                : ProjectPages.NotFound(http, render, $"Build {project}#{number} has no job '{job}'.");
        });
        pages.MapPost("/projects/{project}/builds/{number:int}/cancel", async (string project, int number, HttpContext http, ClaimsPrincipal user, BuildCanceler canceler, CancellationToken ct) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            await canceler.CancelAsync(project, number, BuildEndpoints.ActorOf(user), ct);
            return WebUi.SeeOther(Show.BuildUrl(project, number));
        }).DisableAntiforgery();
        pages.MapPost("/projects/{project}/builds/{number:int}/jobs/{job}/approve", async (string project, int number, string job, HttpContext http, ClaimsPrincipal user, JobApprover approver, CancellationToken ct) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            var (_, problem) = await approver.ApproveAsync(project, number, job, BuildEndpoints.ActorOf(user), ct);
            return problem is not null ? problem : WebUi.SeeOther(Show.BuildUrl(project, number));
        }).DisableAntiforgery();
        return pages;
    }
}
