using System.Globalization;
using Kiln.Server.Agents;
using Kiln.Server.Auth;
using Kiln.Server.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Web;

/// <summary><c>/agents</c>: every agent, with pause, resume and remove (administrators, as in the API).</summary>
public static class AgentPages
{
    public static RouteGroupBuilder MapAgentPages(this RouteGroupBuilder pages)
    {
        pages.MapGet("/agents", async (HttpContext http, PageRenderer render, AgentDirectory agents, CancellationToken ct) =>
            render.Page<AgentsPage>(http, "Agents", new Dictionary<string, object?> { ["Agents"] = await agents.ListAsync(ct) }));
        pages.MapPost("/agents/{id:long}/{action}", async (long id, string action, HttpContext http, AgentDirectory agents, CancellationToken ct) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            if (action is not ("pause" or "resume" or "remove"))
            {
                return Results.NotFound();
            }

            var key = id.ToString(CultureInfo.InvariantCulture);
            _ = action == "remove" ? await agents.RemoveAsync(key, ct) : await agents.SetPausedAsync(key, action == "pause", ct) is not null;
            return WebUi.SeeOther("/agents");
        }).RequireAuthorization(KilnClaims.AdminPolicy).DisableAntiforgery();
        return pages;
    }
}
