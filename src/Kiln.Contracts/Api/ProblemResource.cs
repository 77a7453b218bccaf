namespace Kiln.Contracts.Api;

/// <summary>The RFC 9457 problem+json fields clients read; <c>Errors</c> lists pipeline problems as "file:line:col: message".</summary>
public sealed record ProblemResource(string? Type, string? Title, int? Status, string? Detail, IReadOnlyList<string>? Errors);
