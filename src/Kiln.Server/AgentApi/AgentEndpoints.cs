using System.Globalization;
using System.Security.Claims;
using System.Text;
using Kiln.Contracts.AgentProtocol;
using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Logs;
using Kiln.Data.Queue;
using Kiln.Server.Auth;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kiln.Server.AgentApi;

/// <summary>Agent protocol v1 (see Kiln.Contracts.AgentProtocol and docs/api.md). Every job report is
/// fenced by the lease token: a stale token gets 409 and changes nothing.</summary>
public static class AgentEndpoints
{
    private const int MaxWaitSeconds = 30;

    public static IEndpointRouteBuilder MapAgentEndpoints(this IEndpointRouteBuilder app)
    {
        // The only route a registration token may call; anonymous gets 401, any other token 403.
        app.MapPost("/api/v1/agent/register", RegisterAsync).RequireAuthorization(KilnClaims.RegistrationPolicy).WithTags("Agent protocol");
        var group = app.MapGroup("/api/v1/agent").RequireAuthorization(KilnClaims.AgentPolicy).WithTags("Agent protocol");
        group.MapPost("/hello", HelloAsync);
        group.MapPost("/lease", LeaseAsync);
        group.MapPost("/jobs/{jobId:long}/heartbeat", HeartbeatAsync);
        group.MapPost("/jobs/{jobId:long}/watch", WatchAsync);
        group.MapPost("/jobs/{jobId:long}/steps/{index:int}", StepAsync);
        group.MapPost("/jobs/{jobId:long}/log", LogAsync);
        group.MapPost("/jobs/{jobId:long}/complete", CompleteAsync);
        return app;
    }

    private static async Task<Results<Ok<RegisterAgentResponse>, ProblemHttpResult>> RegisterAsync(
        RegisterAgentRequest? request, ClaimsPrincipal caller, AgentRegistration registration, CancellationToken ct)
    {
        if (request is null)
        {
            return Problems.BadRequest("The body must be a JSON object with 'name', 'labels', 'slots', 'version' and 'os'.");
        }

        var (outcome, agent, message) = await registration.RegisterAsync(request, caller, ct);
        return outcome switch
        {
            AgentRegistration.Outcome.Registered => TypedResults.Ok(agent!),
            AgentRegistration.Outcome.NameTaken => Problems.Conflict(message!),
            _ => Problems.Invalid(message!),
        };
    }

    private static async Task<Results<Ok<AgentHelloResponse>, ProblemHttpResult>> HelloAsync(
        AgentHelloRequest? request, ClaimsPrincipal agent, AgentRegistration registration, CancellationToken ct)
    {
        if (request is null)
        {
            return Problems.BadRequest("The body must be a JSON object with 'labels', 'slots', 'version' and 'os'.");
        }

        var (hello, message) = await registration.HelloAsync(request, AgentIdOf(agent), ct);
        return hello is not null ? TypedResults.Ok(hello) : Problems.Invalid(message!);
    }

    private static async Task<Results<Ok<JobLease>, NoContent>> LeaseAsync(
        LeaseRequest request, ClaimsPrincipal agent, IJobQueue queue, KilnDbContext db, LeaseBuilder leases, ChangeNotifier notifier,
        AgentRegistration registration, AgentSeenThrottle seen, IOptions<KilnServerOptions> options, TimeProvider time, CancellationToken ct)
    {
        var agentId = AgentIdOf(agent);
        var agentName = agent.Identity!.Name!["agent:".Length..];
        // At most one lease time, so an idle agent is seen often enough not to look offline.
        var wait = Math.Clamp(request.WaitSeconds, 0, Math.Min(MaxWaitSeconds, options.Value.LeaseSeconds));
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(wait);
        if (seen.ShouldWrite(agentId, AgentSeenThrottle.Interval(options.Value.LeaseSeconds)))
        {
            await registration.SeenAsync(agentId, request.FreeDiskBytes, request.LoadAverage, ct);
        }

        if (await db.Agents.AnyAsync(a => a.Id == agentId && a.Paused, ct))
        {
            return TypedResults.NoContent();
        }

        while (true)
        {
            var waiter = notifier.Waiter(ChangeNotifier.Work);
            var job = await queue.TryLeaseAsync(agentId, agentName, TimeSpan.FromSeconds(options.Value.LeaseSeconds), ct);
            if (job is not null)
            {
                ChangeNotifier.Release(waiter);
                notifier.Notify(ChangeNotifier.Build(job.BuildId));
                return TypedResults.Ok(leases.Build(job));
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero || !await ChangeNotifier.WaitAsync(waiter, left, ct))
            {
                return TypedResults.NoContent();
            }
        }
    }

    private static async Task<Results<Ok<HeartbeatResponse>, ProblemHttpResult>> HeartbeatAsync(
        long jobId, HeartbeatRequest request, ClaimsPrincipal agent, IJobQueue queue, AgentRegistration registration, IOptions<KilnServerOptions> options, CancellationToken ct)
    {
        var renewed = await queue.RenewAsync(jobId, request.LeaseToken, TimeSpan.FromSeconds(options.Value.LeaseSeconds), ct);
        await registration.SeenAsync(AgentIdOf(agent), request.FreeDiskBytes, request.LoadAverage, ct);
        return renewed is { } r
            ? TypedResults.Ok(new HeartbeatResponse(DateTime.SpecifyKind(r.ExpiresAt, DateTimeKind.Utc), r.CancelRequested))
            : StaleLease(jobId);
    }

    private static async Task<Results<Ok<WatchResponse>, ProblemHttpResult>> WatchAsync(
        long jobId, WatchRequest request, IJobQueue queue, ChangeNotifier notifier, CancellationToken ct)
    {
        var waiter = notifier.Waiter(ChangeNotifier.Cancel(jobId));
        bool? cancel;
        try
        {
            cancel = await queue.IsCancelRequestedAsync(jobId, request.LeaseToken, ct);
        }
        catch
        {
            ChangeNotifier.Release(waiter);
            throw;
        }

        if (cancel == false)
        {
            await ChangeNotifier.WaitAsync(waiter, TimeSpan.FromSeconds(Math.Clamp(request.WaitSeconds, 0, MaxWaitSeconds)), ct);
            cancel = await queue.IsCancelRequestedAsync(jobId, request.LeaseToken, ct);
        }
        else
        {
            // A stale lease or a cancel already requested: nothing to wait for.
            ChangeNotifier.Release(waiter);
        }

        return cancel is null ? StaleLease(jobId) : TypedResults.Ok(new WatchResponse(cancel.Value));
    }

    private static async Task<Results<Ok<AgentAck>, ProblemHttpResult>> StepAsync(
        long jobId, int index, StepReport report, IJobQueue queue, ChangeNotifier notifier, CancellationToken ct)
    {
        if (!StatusNames.TryParseStep(report.Status, out var status))
        {
            return Problems.BadRequest($"'{report.Status}' is not a step status.");
        }

        if (!await queue.ReportStepAsync(jobId, report.LeaseToken, index, status, report.ExitCode, report.At.UtcDateTime, ct))
        {
            return StaleLease(jobId);
        }

        notifier.Notify(ChangeNotifier.Job(jobId));
        return TypedResults.Ok(new AgentAck(await queue.IsCancelRequestedAsync(jobId, report.LeaseToken, ct) == true));
    }

    /// <summary>See <see cref="LogChunkWire"/> for the wire format.</summary>
    private static async Task<Results<Ok<AgentAck>, ProblemHttpResult>> LogAsync(
        long jobId, long sequence, int lines, HttpRequest request, ILogStore logs, ChangeNotifier notifier, CancellationToken ct)
    {
        var lease = request.Headers[LogChunkWire.LeaseHeader].ToString();
        if (lease.Length == 0 || !LogChunkWire.TryParseTimes(request.Headers[LogChunkWire.TimesHeader].ToString(), out var times))
        {
            return Problems.BadRequest($"A log chunk needs the {LogChunkWire.LeaseHeader} header and a well-formed {LogChunkWire.TimesHeader} header.");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        if (sequence < 0 || lines < 0 || (text.Length > 0 && !text.EndsWith('\n')) || text.Contains('\r', StringComparison.Ordinal))
        {
            return Problems.BadRequest("A log chunk has a sequence >= 0 and whole lines, each ending in '\\n', with no '\\r' (agents resolve carriage returns).");
        }

        var stored = LogSlice.FormatTimes(times.Select(t => (t.Line, t.UnixMs)));
        switch (await logs.AppendAsync(jobId, lease, sequence, text, lines, stored, ct))
        {
            case LogAppendResult.StaleLease:
                return StaleLease(jobId);
            case LogAppendResult.OutOfOrder:
                return Problems.Conflict($"Log chunk {sequence} of job {jobId} arrived before the chunks ahead of it.");
            case LogAppendResult.Appended:
                notifier.Notify(ChangeNotifier.Job(jobId));
                break;
        }

        return TypedResults.Ok(new AgentAck(false));
    }

    private static async Task<Results<Ok<AgentAck>, ProblemHttpResult>> CompleteAsync(
        long jobId, CompleteJobRequest request, IJobQueue queue, ChangeNotifier notifier, CancellationToken ct)
    {
        if (!StatusNames.TryParseJob(request.Status, out var status) || !StatusRules.IsTerminal(status))
        {
            return Problems.BadRequest($"'{request.Status}' is not a final job status.");
        }

        var completion = await queue.CompleteAsync(jobId, request.LeaseToken, status, request.Message, ct);
        if (completion is null)
        {
            return StaleLease(jobId);
        }

        notifier.Notify(ChangeNotifier.Job(jobId));
        notifier.Notify(ChangeNotifier.Build(completion.BuildId));
        if (completion.WorkFreed)
        {
            notifier.Notify(ChangeNotifier.Work);
        }

        return TypedResults.Ok(new AgentAck(false));
    }

    private static long AgentIdOf(ClaimsPrincipal agent) => long.Parse(agent.FindFirstValue(KilnClaims.AgentId)!, CultureInfo.InvariantCulture);

    private static ProblemHttpResult StaleLease(long jobId) =>
        Problems.Conflict($"The lease on job {jobId} is not yours any more (expired, canceled or given to another agent); stop working on it.");
}
