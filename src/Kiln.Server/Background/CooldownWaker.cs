using Kiln.Core.Builds;
using Kiln.Data;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.Server.Background;

/// <summary>Wakes waiting agents when a queued job's cooldown ends, so a build held back by its
/// project's <c>cooldownSeconds</c> starts on time instead of at the agents' next long poll. Sleeps until
/// the earliest cooldown end, or until new work may have brought an earlier one.</summary>
public sealed class CooldownWaker(IServiceScopeFactory scopes, ChangeNotifier notifier, TimeProvider time, ILogger<CooldownWaker> logger)
    : BackgroundService
{
    /// <summary>Looks again at least this often, in case a wake-up from another server was missed.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var newWork = notifier.Waiter(ChangeNotifier.Work);
            var sleep = MaxSleep;
            try
            {
                if (await NextCooldownEndAsync(stoppingToken) is { } end)
                {
                    // A moment past the end, so the lease's "not before" comparison is surely true.
                    var until = end - time.GetUtcNow().UtcDateTime + TimeSpan.FromMilliseconds(5);
                    sleep = until < MaxSleep ? until : MaxSleep;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not read the queue's cooldowns; trying again in {Delay}", MaxSleep);
            }

            var woken = await ChangeNotifier.WaitAsync(newWork, sleep, stoppingToken);
            if (!woken && sleep < MaxSleep)
            {
                notifier.Notify(ChangeNotifier.Work);
            }
        }
    }

    /// <summary>The earliest cooldown end still to come, if any.</summary>
    private async Task<DateTime?> NextCooldownEndAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KilnDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        return await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued && j.NotBefore > now)
            .MinAsync(j => j.NotBefore, cancellationToken);
    }
}
