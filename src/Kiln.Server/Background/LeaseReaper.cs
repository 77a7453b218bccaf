using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Data.Queue;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Background;

/// <summary>Marks running jobs whose lease expired as <c>lost</c>: their agent stopped renewing
/// (it died, or the server was down longer than the lease). Each job is ended in its own
/// transaction with a fenced update, so an agent's late report and the reaper cannot both win.
/// If the server dies mid-tick, the next tick (or the next start) finds the same jobs again.
/// On start it first grants every running job a fresh lease (<see cref="GrantRestartGraceAsync"/>),
/// so the server's own downtime is not counted against the agents.</summary>
public sealed class LeaseReaper(IServiceScopeFactory scopes, ChangeNotifier notifier, TimeProvider time, IOptions<KilnServerOptions> options, ILogger<LeaseReaper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await GrantRestartGraceAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without the grace the first tick may end jobs whose agents only could not reach us;
            // still better than not reaping at all.
            logger.LogError(e, "Could not extend the leases of running jobs after start");
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ReaperIntervalSeconds), time);
        do
        {
            try
            {
                await ReapAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Lease reaper tick failed; retrying next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Extends the lease of every running job to now + <c>LeaseSeconds</c>, in one fenced UPDATE
    /// (only running jobs that hold a lease, and never shortening one). Runs once when the server starts,
    /// before the first reap.
    /// <para>Why: while the server was down (a crash, <c>kill -9</c>, an upgrade) agents could not
    /// heartbeat, yet they kept running their steps and retry every report until it gets through.
    /// Their leases ran out through no fault of theirs; reaping them now would throw away work that
    /// is about to be reported, and the 409 on their next report would stop live jobs. The server's
    /// own downtime must not count against agents. An agent that really died during the downtime is
    /// still found: it never renews the fresh lease, so the reaper ends its job one lease later.
    /// With several servers on one database, a restarting server grants the same grace to jobs held
    /// through the others; that only delays finding a dead agent by at most one lease.</para></summary>
    /// <returns>The number of leases extended.</returns>
    public async Task<int> GrantRestartGraceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KilnDbContext>();
        var until = time.UtcNow() + TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        var extended = await db.Jobs
            .Where(j => j.Status == JobStatus.Running && j.LeaseToken != null && (j.LeaseExpiresAt == null || j.LeaseExpiresAt < until))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, until), cancellationToken);
        if (extended > 0)
        {
            logger.LogInformation("Server start: extended the leases of {Count} running job(s) until {Until:O}, so agents can reconnect", extended, until);
        }

        return extended;
    }

    public async Task ReapAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KilnDbContext>();
        var queue = scope.ServiceProvider.GetRequiredService<IJobQueue>();
        var now = time.UtcNow();
        var expired = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Running && j.LeaseExpiresAt < now)
            .Select(j => new { j.Id, j.LeaseToken, j.AgentName })
            .ToListAsync(cancellationToken);
        foreach (var job in expired)
        {
            var message = $"agent lost: '{job.AgentName}' did not renew its lease in time";
            if (await queue.CompleteAsync(job.Id, job.LeaseToken!, JobStatus.Lost, message, cancellationToken) is { } completion)
            {
                logger.LogWarning("Job {JobId} is lost: {Reason}", job.Id, message);
                notifier.Notify(ChangeNotifier.Job(job.Id));
                notifier.Notify(ChangeNotifier.Build(completion.BuildId));
                if (completion.WorkFreed)
                {
                    notifier.Notify(ChangeNotifier.Work);
                }
            }
        }
    }
}
