using Kiln.Data.Events;
using Kiln.Server.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Background;

/// <summary>Deletes events older than <c>EventRetentionDays</c>, oldest first, in batches that are short
/// transactions of their own, once at start and then every <c>EventRetentionIntervalMinutes</c>. If the
/// server dies mid-way, the next run deletes the rest.</summary>
public sealed class EventRetention(EventLog log, TimeProvider time, IOptions<KilnServerOptions> options, ILogger<EventRetention> logger) : BackgroundService
{
    private const int Batch = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.EventRetentionIntervalMinutes), time);
        do
        {
            try
            {
                await DeleteExpiredAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Deleting old events failed; retrying next tick");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many events it deleted.</returns>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.UtcNow() - TimeSpan.FromDays(options.Value.EventRetentionDays);
        var total = 0;
        int deleted;
        do
        {
            deleted = await log.DeleteBeforeAsync(cutoff, Batch, cancellationToken);
            total += deleted;
        }
        while (deleted >= Batch);

        if (total > 0)
        {
            logger.LogInformation("Deleted {Count} event(s) older than {Cutoff:O}", total, cutoff);
        }

        return total;
    }
}
