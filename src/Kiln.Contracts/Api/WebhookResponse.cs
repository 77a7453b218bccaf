namespace Kiln.Contracts.Api;

/// <summary>The answer to a webhook delivery. <c>Status</c>: <c>accepted</c> (stored; its builds are made in
/// the background), <c>ping</c>, <c>ignored</c> (<c>Ignored</c> says why), or for a redelivery the first
/// one's state (<c>pending</c>, <c>done</c>, <c>skipped</c>, <c>failed</c>) with the numbers of the builds it made.</summary>
public sealed record WebhookResponse(string Status, string? Delivery = null, IReadOnlyList<int>? Builds = null, string? Ignored = null, bool Duplicate = false, string? Outcome = null);
