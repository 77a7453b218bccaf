using System.Globalization;
using System.Text;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Logs;
using Kiln.Server.Auth;
using Kiln.Server.Builds;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Logs;

public static class LogEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapLogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/projects/{project}/builds/{number:int}/jobs/{job}/log").RequireAuthorization(KilnClaims.UserPolicy).WithTags("Logs");
        group.MapGet("/", ReadAsync);
        group.MapGet("/stream", StreamAsync);
        return app;
    }

    /// <summary>The log as text from <c>offset</c> (or a <c>Range: bytes=N-</c> header); <c>timestamps=true</c>
    /// prefixes each line with its time. <c>X-Kiln-Log-End</c> gives the offset to resume from.</summary>
    private static async Task<IResult> ReadAsync(string project, int number, string job, long? offset, bool? timestamps, HttpContext http, BuildQueries queries, ILogStore logs, CancellationToken ct)
    {
        var entity = await queries.FindJobAsync(project, number, job, ct);
        if (entity is null)
        {
            return Problems.NotFound($"Build {project}#{number} has no job '{job}'.");
        }

        var from = offset ?? RangeStart(http.Request.Headers.Range.ToString()) ?? 0;
        if (from < 0 || from > entity.LogBytes)
        {
            return Problems.BadRequest($"offset {from} is outside the log, which has {entity.LogBytes} bytes.");
        }

        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers["X-Kiln-Log-End"] = entity.LogBytes.ToString(CultureInfo.InvariantCulture);
        await foreach (var slice in logs.ReadAsync(entity.Id, from, ct))
        {
            await http.Response.WriteAsync(timestamps == true ? slice.WithTimestamps() : slice.Text, ct);
        }

        return Results.Empty;
    }

    /// <summary>Server-sent events: replay from <c>Last-Event-ID</c> (a byte offset), then tail until
    /// the job ends, with <c>: ping</c> keep-alives, then one <c>end</c> event carrying the job status.</summary>
    private static async Task<IResult> StreamAsync(string project, int number, string job, long? offset, HttpContext http, BuildQueries queries, ILogStore logs, KilnDbContext db, ChangeNotifier notifier, CancellationToken ct)
    {
        var entity = await queries.FindJobAsync(project, number, job, ct);
        if (entity is null)
        {
            return Problems.NotFound($"Build {project}#{number} has no job '{job}'.");
        }

        var position = long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? last : offset ?? 0;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.Body.FlushAsync(ct);
        try
        {
            while (true)
            {
                var waiter = notifier.Waiter(ChangeNotifier.Job(entity.Id));
                // Status first, then the log: if the job had ended, everything it logged is already stored.
                var status = await db.Jobs.AsNoTracking().Where(j => j.Id == entity.Id).Select(j => j.Status).SingleAsync(ct);
                await foreach (var slice in logs.ReadAsync(entity.Id, position, ct))
                {
                    await http.Response.WriteAsync(LogEvent(slice), ct);
                    position = slice.EndOffset;
                }

                if (StatusRules.IsTerminal(status))
                {
                    ChangeNotifier.Release(waiter);
                    await http.Response.WriteAsync($"event: end\ndata: {{\"status\":\"{StatusNames.ToWire(status)}\"}}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    return Results.Empty;
                }

                await http.Response.Body.FlushAsync(ct);
                if (!await ChangeNotifier.WaitAsync(waiter, KeepAlive, ct))
                {
                    await http.Response.WriteAsync(": ping\n\n", ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Results.Empty;
        }
    }

    private static string LogEvent(LogSlice slice)
    {
        var sb = new StringBuilder(slice.Text.Length + 64);
        sb.Append("id: ").Append(slice.EndOffset.ToString(CultureInfo.InvariantCulture)).Append("\nevent: log\n");
        var text = slice.Text.EndsWith('\n') ? slice.Text[..^1] : slice.Text;
        foreach (var line in text.Split('\n'))
        {
            sb.Append("data: ").Append(line).Append('\n');
        }

        return sb.Append('\n').ToString();
    }

    private static long? RangeStart(string range)
    {
        const string prefix = "bytes=";
        if (!range.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var dash = range.IndexOf('-', StringComparison.Ordinal);
        return dash > prefix.Length && long.TryParse(range.AsSpan(prefix.Length, dash - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }
}
