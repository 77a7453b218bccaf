using Kiln.Core;
using Kiln.Core.Triggers;

namespace Kiln.Data.Entities;

/// <summary>A webhook delivery, stored (verified) before the forge gets its 2xx and then processed in the
/// background: the durable inbox. <c>(Forge, DeliveryId)</c> is unique, so a redelivery is recognised.</summary>
public sealed class WebhookDeliveryEntity
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public Forge Forge { get; set; }
    /// <summary>The forge's delivery id (<c>X-GitHub-Delivery</c> …); for a generic hook without one, the body's SHA-256.</summary>
    public required string DeliveryId { get; set; }
    /// <summary>The forge's event name (<c>push</c>, <c>Merge Request Hook</c>, <c>repo:push</c> …).</summary>
    public required string EventName { get; set; }
    /// <summary>The raw body as received (UTF-8 JSON), parsed again when processed.</summary>
    public required byte[] Body { get; set; }
    public DeliveryState State { get; set; }
    /// <summary>What came of it: why it was skipped or failed, or which builds it made.</summary>
    public string? Outcome { get; set; }
    /// <summary>The builds it made, as their numbers, comma-separated (a Bitbucket push may carry several refs).</summary>
    public string? BuildNumbers { get; set; }
    public DateTime ReceivedAt { get; set; }
    public DateTime? ProcessedAt { get; set; }
    /// <summary>Until when a server is processing it; another may take it over after that (the first died).</summary>
    public DateTime? ClaimedUntil { get; set; }
    public int Attempts { get; set; }
}

/// <summary>Where a <see cref="WebhookDeliveryEntity"/> is.</summary>
public enum DeliveryState
{
    /// <summary>Stored, not processed yet (or its processing was cut off).</summary>
    Pending,

    /// <summary>Processed: it made its builds.</summary>
    Done,

    /// <summary>Processed: it makes no build (an actor not allowed, a fork pull request the project skips).</summary>
    Skipped,

    /// <summary>Processing failed for good (the repository cannot be fetched, say); the reason is in <c>Outcome</c>.</summary>
    Failed,
}

/// <summary>Wire names of <see cref="DeliveryState"/>, as stored and as the webhook answer shows them.</summary>
public static class DeliveryStates
{
    public static WireNames<DeliveryState> Wire { get; } = new();
}
