namespace Kiln.Contracts.Api;

/// <summary>Body of <c>POST /api/v1/tokens</c> (admins only). <c>Kind</c> is <c>user</c> (the default: a token of
/// the calling user with <c>Scope</c> read, write or admin) or <c>agent-registration</c> (a token that may only
/// register agents). <c>ExpiresInSeconds</c> null means the token does not expire.</summary>
public sealed record CreateTokenRequest(string? Name, string? Kind, string? Scope, long? ExpiresInSeconds);

/// <summary>A token without its secret. <c>Kind</c> is user, agent-registration or agent; <c>User</c> or
/// <c>Agent</c> names whom it speaks for.</summary>
public sealed record TokenResource(long Id, string Name, string Kind, string Scope, string? User, string? Agent, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>The answer to creating a token: the only time its secret (<c>Token</c>) is shown.</summary>
public sealed record CreatedTokenResource(long Id, string Name, string Kind, string Scope, DateTimeOffset? ExpiresAt, string Token);
