using Kiln.Core.Triggers;
using Kiln.Data;
using Kiln.Data.Entities;
using Kiln.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Server.Webhooks;

/// <summary>The durable inbox of webhook deliveries: stored before the forge gets its answer, claimed by
/// one server at a time for processing, and kept (for redeliveries to be recognised) for
/// <c>WebhookRetentionDays</c>.</summary>
public sealed class WebhookInbox(KilnDbContext db, ChangeNotifier notifier, TimeProvider time)
{
    /// <summary>How long a server may process a delivery before another may take it over (the first died).</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);

    /// <summary>The topic a stored delivery is announced on, and a processed one.</summary>
    public const string Topic = "webhooks";

    /// <summary>Stores the delivery; the one stored before if this forge sent a delivery of this id already
    /// (a redelivery, perhaps at the same moment: the unique key decides which insert wins).</summary>
    public async Task<(WebhookDeliveryEntity Delivery, bool Duplicate)> AddAsync(long projectId, Forge forge, string deliveryId, string eventName, byte[] body, CancellationToken cancellationToken)
    {
        if (await FindAsync(forge, deliveryId, cancellationToken) is { } earlier)
        {
            return (earlier, true);
        }

        var delivery = new WebhookDeliveryEntity
        {
            ProjectId = projectId,
            Forge = forge,
            DeliveryId = deliveryId,
            EventName = eventName,
            Body = body,
            State = DeliveryState.Pending,
            ReceivedAt = time.UtcNow(),
        };
        db.WebhookDeliveries.Add(delivery);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e)
        {
            // Another request stored the same delivery first (the unique key); anything else is rethrown.
            db.Entry(delivery).State = EntityState.Detached;
            return (await FindAsync(forge, deliveryId, cancellationToken) ?? throw new InvalidOperationException($"Delivery {deliveryId} could not be stored.", e), true);
        }

        notifier.Notify(Topic);
        return (delivery, false);
    }

    public Task<WebhookDeliveryEntity?> FindAsync(Forge forge, string deliveryId, CancellationToken cancellationToken) =>
        db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Forge == forge && d.DeliveryId == deliveryId, cancellationToken);

    public Task<WebhookDeliveryEntity?> GetAsync(long id, CancellationToken cancellationToken) =>
        db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);

    /// <summary>Pending deliveries no server holds, oldest first.</summary>
    public async Task<IReadOnlyList<long>> ClaimableAsync(int limit, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        return await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.State == DeliveryState.Pending && (d.ClaimedUntil == null || d.ClaimedUntil < now))
            .OrderBy(d => d.Id).Select(d => d.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Takes the delivery for <see cref="ClaimFor"/>; false if another server holds it or it is done.</summary>
    public async Task<bool> ClaimAsync(long id, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var until = now + ClaimFor;
        return await db.WebhookDeliveries
            .Where(d => d.Id == id && d.State == DeliveryState.Pending && (d.ClaimedUntil == null || d.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedUntil, until).SetProperty(d => d.Attempts, d => d.Attempts + 1), cancellationToken) == 1;
    }

    /// <summary>Records what came of it.</summary>
    public async Task FinishAsync(long id, DeliveryState state, string outcome, IReadOnlyList<int> builds, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var numbers = builds.Count > 0 ? string.Join(',', builds) : null;
        var text = outcome.Length > 2000 ? outcome[..2000] : outcome;
        await db.WebhookDeliveries.Where(d => d.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, state).SetProperty(d => d.Outcome, text)
                .SetProperty(d => d.BuildNumbers, numbers).SetProperty(d => d.ProcessedAt, now).SetProperty(d => d.ClaimedUntil, (DateTime?)null), cancellationToken);
        notifier.Notify(Topic);
    }

    /// <summary>Leaves it pending for a later attempt, not before <paramref name="retryAt"/>.</summary>
    public Task PostponeAsync(long id, string outcome, DateTime retryAt, CancellationToken cancellationToken) =>
        db.WebhookDeliveries.Where(d => d.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedUntil, retryAt).SetProperty(d => d.Outcome, outcome), cancellationToken);

    /// <summary>Deletes processed deliveries received before <paramref name="cutoff"/>.</summary>
    public Task<int> DeleteBeforeAsync(DateTime cutoff, CancellationToken cancellationToken) =>
        db.WebhookDeliveries.Where(d => d.ReceivedAt < cutoff && d.State != DeliveryState.Pending).ExecuteDeleteAsync(cancellationToken);
}
