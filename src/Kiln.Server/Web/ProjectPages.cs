using System.Security.Claims;
using Kiln.Contracts.Api;
using Kiln.Core.Triggers;
using Kiln.Server.Builds;
using Kiln.Server.Projects;
using Kiln.Server.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Web;

/// <summary><c>/projects</c> (list, filter, add) and <c>/projects/{project}</c> (builds with filters, "Build
/// now", cancel several at once, the badge snippet).</summary>
public static class ProjectPages
{
    private const int Builds = 50;

    public static RouteGroupBuilder MapProjectPages(this RouteGroupBuilder pages)
    {
        pages.MapGet("/projects", async (string? q, HttpContext http, PageRenderer render, ProjectService projects, CancellationToken ct) =>
            render.Page<ProjectsPage>(http, "Projects", new Dictionary<string, object?> { ["Projects"] = Filter(await projects.ListAsync(ct), q), ["Query"] = q }));

        pages.MapPost("/projects", async (HttpContext http, PageRenderer render, ProjectService projects, CancellationToken ct) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            var form = await http.Request.ReadFormAsync(ct);
            var request = new CreateProjectRequest(form["name"], Blank(form["repo"]), null, Blank(form["pipeline"])?.ReplaceLineEndings("\n"));
            var (project, rejection) = await projects.AddAsync(request, ct);
            if (project is not null)
            {
                return WebUi.SeeOther(Show.ProjectUrl(project.Name));
            }

            return render.Page<ProjectsPage>(http, "Projects", new Dictionary<string, object?>
            {
                ["Projects"] = await projects.ListAsync(ct),
                ["Error"] = rejection!.Message,
                ["Errors"] = rejection.Errors,
            }, status: StatusCodes.Status422UnprocessableEntity);
        }).DisableAntiforgery();

        pages.MapGet("/projects/{project}", async (string project, string? branch, string? status, string? @event, HttpContext http, PageRenderer render, ProjectService projects, BuildQueries builds, CancellationToken ct) =>
            await projects.GetAsync(project, ct) is { } found
                ? render.Page<ProjectPage>(http, found.Name, await ProjectModelAsync(found, branch, status, @event, builds, ct))
                : NotFound(http, render, $"There is no project named '{project}'."));

        pages.MapPost("/projects/{project}/build", async (string project, HttpContext http, ClaimsPrincipal user, PageRenderer render, ProjectService projects, BuildQueries builds, BuildTrigger trigger, CancellationToken ct) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            var form = await http.Request.ReadFormAsync(ct);
            var (inputs, bad) = Inputs(form["inputs"]);
            var result = bad is null
                ? await trigger.TriggerAsync(new TriggerRequest(project, Blank(form["ref"]), inputs, TriggerEvent.Manual, BuildEndpoints.ActorOf(user)), ct)
                : TriggerResult.Fail(TriggerFailure.Rejected, bad);
            if (result.BuildNumber is { } number && result.Failure is null)
            {
                return WebUi.SeeOther(Show.BuildUrl(project, number));
            }

            if (await projects.GetAsync(project, ct) is not { } found)
            {
                return NotFound(http, render, $"There is no project named '{project}'.");
            }

            var model = await ProjectModelAsync(found, null, null, null, builds, ct);
            model["Error"] = result.Message;
            model["Errors"] = result.Errors;
            return render.Page<ProjectPage>(http, found.Name, model, status: StatusCodes.Status422UnprocessableEntity);
        }).DisableAntiforgery();

        pages.MapPost("/projects/{project}/cancel", async (string project, HttpContext http, ClaimsPrincipal user, BuildCanceler canceler, CancellationToken ct) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            var form = await http.Request.ReadFormAsync(ct);
            foreach (var value in form["build"])
            {
                if (int.TryParse(value, out var number))
                {
                    await canceler.CancelAsync(project, number, BuildEndpoints.ActorOf(user), ct);
                }
            }

            return WebUi.SeeOther(Show.ProjectUrl(project));
        }).DisableAntiforgery();
        return pages;
    }

    public static IResult NotFound(HttpContext http, PageRenderer render, string message) =>
        render.Page<NotFoundPage>(http, "Not found", new Dictionary<string, object?> { ["Message"] = message }, status: StatusCodes.Status404NotFound);

    private static async Task<Dictionary<string, object?>> ProjectModelAsync(ProjectResource project, string? branch, string? status, string? eventName, BuildQueries builds, CancellationToken ct)
    {
        IEnumerable<BuildResource> list = await builds.ListAsync(project.Name, Builds * 4, ct) ?? [];
        if (!string.IsNullOrWhiteSpace(branch))
        {
            list = list.Where(b => b.Branch == branch);
        }

        if (!string.IsNullOrWhiteSpace(status))
        {
            list = list.Where(b => b.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(eventName))
        {
            list = list.Where(b => b.Event == eventName);
        }

        return new()
        {
            ["Project"] = project,
            ["Builds"] = list.Take(Builds).ToList(),
            ["Branch"] = branch,
            ["Status"] = status,
            ["Event"] = eventName,
        };
    }

    private static IReadOnlyList<ProjectResource> Filter(IReadOnlyList<ProjectResource> projects, string? q) =>
        string.IsNullOrWhiteSpace(q)
            ? projects
            : projects.Where(p => p.Name.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase) || p.Repo?.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase) == true).ToList();

    /// <summary>"NAME=value" lines; the problem with the first line that is not one.</summary>
    private static (Dictionary<string, string> Inputs, string? Problem) Inputs(string? text)
    {
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < lines.Length; i++)
        {
            var equals = lines[i].IndexOf('=', StringComparison.Ordinal);
            if (equals < 1)
            {
                return (inputs, $"Inputs line {i + 1} ('{lines[i]}') is not NAME=value.");
            }

            inputs[lines[i][..equals].Trim()] = lines[i][(equals + 1)..];
        }

        return (inputs, null);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
