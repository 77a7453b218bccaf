using System.Globalization;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Data.Events;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Events;

/// <summary><c>GET /api/v1/events</c>: the event log as server-sent events. Replays from <c>Last-Event-ID</c>
/// (else <c>?after=ID</c>, else the last <c>?last=N</c> events, else nothing), then tails it live with
/// <c>: ping</c> keep-alives; <c>?follow=false</c> ends with an <c>end</c> event once caught up.
/// <c>?project=NAME</c> keeps one project's events.</summary>
public static class EventEndpoints
{
    private const int PageSize = 500;

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/events", StreamAsync).RequireAuthorization(KilnClaims.UserPolicy).WithTags("Events");
        return app;
    }

    private static async Task<IResult> StreamAsync(
        long? after, int? last, string? project, bool? follow, HttpContext http, EventLog log, ChangeNotifier notifier,
        IOptions<KilnServerOptions> options, TimeProvider time, CancellationToken ct)
    {
        var header = http.Request.Headers["Last-Event-ID"].ToString();
        long? resume = null;
        if (header.Length > 0)
        {
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return Problems.BadRequest($"Last-Event-ID must be an event id (a whole number >= 0), not '{header}'.");
            }

            resume = id;
        }

        if (after < 0 || last is < 0 or > 10_000)
        {
            return Problems.BadRequest("'after' must be an event id >= 0, and 'last' a count from 0 to 10000.");
        }

        var position = resume ?? after ?? (last is { } n ? await log.BeforeLastAsync(n, ct) : await log.LastIdAsync(ct));
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.Body.FlushAsync(ct);
        var settings = options.Value;
        var keepAlive = TimeSpan.FromSeconds(settings.EventKeepAliveSeconds);
        var quiet = time.GetTimestamp();
        try
        {
            while (true)
            {
                var waiter = notifier.Waiter(EventSignal.Topic);
                var page = await log.ReadAsync(position, PageSize, ct);
                foreach (var e in page.Events)
                {
                    position = e.Id;
                    if (project is null || string.Equals(e.Project, project, StringComparison.Ordinal))
                    {
                        await http.Response.WriteAsync(Frame(e), ct);
                        quiet = time.GetTimestamp();
                    }
                }

                await http.Response.Body.FlushAsync(ct);
                if (page.Events.Count == PageSize)
                {
                    ChangeNotifier.Release(waiter);
                    continue;
                }

                if (follow == false && !page.HeldBack)
                {
                    ChangeNotifier.Release(waiter);
                    await http.Response.WriteAsync($"event: end\ndata: {{\"lastEventId\":{position.ToString(CultureInfo.InvariantCulture)}}}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    return Results.Empty;
                }

                // Held-back events are committed and wait only for an older transaction: look again soon.
                // Otherwise wait for a wake-up, polling now and then in case one from another server was lost.
                var wait = page.HeldBack ? TimeSpan.FromMilliseconds(20) : TimeSpan.FromMilliseconds(settings.EventPollMilliseconds);
                await ChangeNotifier.WaitAsync(waiter, wait, ct);
                if (time.GetElapsedTime(quiet) >= keepAlive)
                {
                    await http.Response.WriteAsync(": ping\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    quiet = time.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Results.Empty;
        }
    }

    private static string Frame(EventRecord e)
    {
        var resource = new EventResource(
            e.Id, new DateTimeOffset(e.At, TimeSpan.Zero), e.Kind, e.Project, e.BuildNumber, e.BuildId, e.Job, e.JobId, e.Step, e.Status, e.FailureReason, e.Actor);
        var id = e.Id.ToString(CultureInfo.InvariantCulture);
        return $"id: {id}\nevent: {e.Kind}\ndata: {JsonSerializer.Serialize(resource, KilnJsonContext.Default.EventResource)}\n\n";
    }
}
