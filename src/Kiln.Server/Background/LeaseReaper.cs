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
/// If the server dies mid-tick, the next tick (or the next start) finds the same jobs again.</summary>
public sealed class LeaseReaper(IServiceScopeFactory scopes, ChangeNotifier notifier, TimeProvider time, IOptions<KilnServerOptions> options, ILogger<LeaseReaper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
                if (completion.JobsReleased)
                {
                    notifier.Notify(ChangeNotifier.Work);
                }
            }
        }
    }
}
