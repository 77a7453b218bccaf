using Kiln.Server.Agents;
using Kiln.Data.Events;
using Kiln.Server.Builds;
using Kiln.Server.Queue;
using Kiln.Server.Web.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Web;

/// <summary><c>/</c> (the dashboard), <c>/queue</c>, and the dashboard's panels, each re-fetched by the page
/// when an event it shows arrives on the page's one event stream.</summary>
public static class DashboardPages
{
    private const int RunningBuilds = 50;
    private const int RecentBuilds = 20;
    private const int Messages = 15;

    public static RouteGroupBuilder MapDashboardPages(this RouteGroupBuilder pages)
    {
        pages.MapGet("/", async (HttpContext http, PageRenderer render, DashboardQueries dashboard, EventLog events, BuildQueries builds, QueueQueries queue, AgentDirectory agents, CancellationToken ct) =>
        {
            var live = LiveUrl(await events.LastIdAsync(ct));
            return render.Page<DashboardPage>(http, "Dashboard", new Dictionary<string, object?>
            {
                ["Running"] = await builds.RunningAsync(RunningBuilds, ct),
                ["Queue"] = await queue.ListAsync(ct),
                ["Recent"] = await builds.RecentAsync(RecentBuilds, ct),
                ["Agents"] = await agents.ListAsync(ct),
                ["Messages"] = await dashboard.MessagesAsync(Messages, ct),
            }, live);
        });
        pages.MapGet("/queue", async (HttpContext http, PageRenderer render, EventLog events, QueueQueries queue, CancellationToken ct) =>
        {
            var live = LiveUrl(await events.LastIdAsync(ct));
            return render.Page<QueuePage>(http, "Queue", new Dictionary<string, object?> { ["Jobs"] = await queue.ListAsync(ct) }, live);
        });

        var panels = pages.MapGroup("/ui/panels");
        panels.MapGet("/running", async (PageRenderer render, BuildQueries builds, CancellationToken ct) =>
            render.Panel<RunningPanel>(new Dictionary<string, object?> { ["Builds"] = await builds.RunningAsync(RunningBuilds, ct) }));
        panels.MapGet("/queue", async (PageRenderer render, QueueQueries queue, CancellationToken ct) =>
            render.Panel<QueuePanel>(new Dictionary<string, object?> { ["Jobs"] = await queue.ListAsync(ct) }));
        panels.MapGet("/recent", async (PageRenderer render, BuildQueries builds, CancellationToken ct) =>
            render.Panel<RecentPanel>(new Dictionary<string, object?> { ["Builds"] = await builds.RecentAsync(RecentBuilds, ct) }));
        panels.MapGet("/agents", async (PageRenderer render, AgentDirectory agents, CancellationToken ct) =>
            render.Panel<AgentsPanel>(new Dictionary<string, object?> { ["Agents"] = await agents.ListAsync(ct) }));
        panels.MapGet("/messages", async (PageRenderer render, DashboardQueries dashboard, CancellationToken ct) =>
            render.Panel<MessagesPanel>(new Dictionary<string, object?> { ["Events"] = await dashboard.MessagesAsync(Messages, ct) }));
        return pages;
    }

    /// <summary>The page's event stream, from the newest event when it was rendered.</summary>
    public static string LiveUrl(long after, string? project = null) =>
        $"/api/v1/events?after={after}" + (project is null ? "" : $"&project={Uri.EscapeDataString(project)}");
}
