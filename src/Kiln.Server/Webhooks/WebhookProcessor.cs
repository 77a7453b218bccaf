using Kiln.Data.Entities;
using Kiln.Server.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Webhooks;

/// <summary>Processes the inbox in the background: woken by each stored delivery, and every
/// <c>WebhookPollSeconds</c> anyway (deliveries stored through another server, or left pending by a crash:
/// a claim runs out after <see cref="WebhookInbox.ClaimFor"/>). A few deliveries at a time; a delivery whose
/// repository could not be fetched is tried again with backoff, up to <see cref="MaxAttempts"/> times.
/// Processed deliveries are deleted after <c>WebhookRetentionDays</c>.</summary>
public sealed class WebhookProcessor(IServiceScopeFactory scopes, ChangeNotifier notifier, TimeProvider time, IOptions<KilnServerOptions> options, ILogger<WebhookProcessor> logger) : BackgroundService
{
    public const int MaxAttempts = 5;
    private const int Parallelism = 4;
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.Value.WebhookPollSeconds);
        var nextRetention = time.UtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var waiter = notifier.Waiter(WebhookInbox.Topic);
            try
            {
                if (time.UtcNow() >= nextRetention)
                {
                    await DeleteOldAsync(stoppingToken);
                    nextRetention = time.UtcNow() + RetentionEvery;
                }

                while (await ProcessPendingAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Processing webhook deliveries failed; trying again shortly");
            }

            await ChangeNotifier.WaitAsync(waiter, poll, stoppingToken);
        }
    }

    /// <returns>How many deliveries it took.</returns>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<long> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<WebhookInbox>().ClaimableAsync(32, cancellationToken);
        }

        var taken = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            if (await ProcessAsync(id, ct))
            {
                Interlocked.Increment(ref taken);
            }
        });
        return taken;
    }

    private async Task<bool> ProcessAsync(long id, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var inbox = scope.ServiceProvider.GetRequiredService<WebhookInbox>();
        if (!await inbox.ClaimAsync(id, cancellationToken) || await inbox.GetAsync(id, cancellationToken) is not { } delivery)
        {
            return false;
        }

        DeliveryResult result;
        try
        {
            result = await scope.ServiceProvider.GetRequiredService<DeliveryHandler>().HandleAsync(delivery, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Webhook delivery {Id} ({Delivery}) failed", id, delivery.DeliveryId);
            result = new DeliveryResult(DeliveryState.Failed, "the server failed to process it; its log has the details", [], Retry: true);
        }

        if (result.Retry && delivery.Attempts < MaxAttempts && result.Builds.Count == 0)
        {
            // 4 s, 8 s, 16 s, 32 s between the attempts.
            var retryAt = time.UtcNow() + TimeSpan.FromSeconds(2 << Math.Clamp(delivery.Attempts, 1, 6));
            logger.LogWarning("Webhook delivery {Id} ({Delivery}) made no build yet ({Outcome}); trying again at {RetryAt:O}", id, delivery.DeliveryId, result.Outcome, retryAt);
            await inbox.PostponeAsync(id, result.Outcome, retryAt, cancellationToken);
            return true;
        }

        await inbox.FinishAsync(id, result.State, result.Outcome, result.Builds, cancellationToken);
        logger.LogInformation("Webhook delivery {Id} ({Delivery}): {State}, {Outcome}", id, delivery.DeliveryId, result.State, result.Outcome);
        return true;
    }

    private async Task DeleteOldAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var cutoff = time.UtcNow() - TimeSpan.FromDays(options.Value.WebhookRetentionDays);
        var deleted = await scope.ServiceProvider.GetRequiredService<WebhookInbox>().DeleteBeforeAsync(cutoff, cancellationToken);
        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} webhook deliveries received before {Cutoff:O}", deleted, cutoff);
        }
    }
}
