using System.Collections.Concurrent;

namespace Kiln.Server.Auth;

/// <summary>What <see cref="TokenAuthenticationHandler"/> learned about a valid token from the database.</summary>
public sealed record CachedToken(long Id, string Name, long? UserId, long? AgentId, string Scope, string? UserName, bool IsAdmin);

/// <summary>
/// Remembers validated token lookups for a few seconds, so an agent's or a script's stream of
/// requests does not query the token (and its user) on every one: on a one-step build, four of
/// the agent's requests lie on the path from trigger to finish.
/// </summary>
/// <remarks>
/// <para>Keyed by the token's SHA-256, never by the secret. An entry lives <see cref="Lifetime"/>, or
/// until the token expires if that is sooner. Only tokens that were found valid are kept: an
/// unknown token is looked up every time.</para>
/// <para>Every path that deletes tokens (revoking one, removing or re-registering an agent) calls
/// <see cref="Invalidate"/> after its transaction committed, which empties the cache: revocations
/// are rare, and emptying it needs no map from token id or agent id to hash. A lookup that raced
/// with a revocation cannot put the revoked token back: <see cref="Add"/> drops an entry made
/// before an invalidation that happened while it was being made (<see cref="Generation"/>).</para>
/// <para>With several servers, only the server that took the revocation empties its cache; the
/// others keep accepting the token for at most <see cref="Lifetime"/> (docs/operations.md).</para>
/// </remarks>
public sealed class TokenCache(TimeProvider time)
{
    /// <summary>How long a validated lookup is trusted.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>Past this many entries the cache starts over, so a flood of distinct tokens cannot grow it without bound.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (CachedToken Token, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>Changes on every <see cref="Invalidate"/>; read it before the database lookup and pass it to <see cref="Add"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The cached lookup of this token hash, if it is still fresh.</summary>
    public bool TryGet(string hash, out CachedToken? token)
    {
        if (_entries.TryGetValue(hash, out var entry) && entry.Until > time.GetUtcNow())
        {
            token = entry.Token;
            return true;
        }

        token = null;
        return false;
    }

    /// <summary>Remembers a lookup made since <paramref name="generation"/>, unless tokens were deleted meanwhile.</summary>
    /// <param name="expiresAt">The token's own expiry (UTC), if it has one.</param>
    public void Add(string hash, CachedToken token, DateTime? expiresAt, long generation)
    {
        var until = time.GetUtcNow() + Lifetime;
        if (expiresAt is { } expiry && new DateTimeOffset(DateTime.SpecifyKind(expiry, DateTimeKind.Utc)) < until)
        {
            until = new DateTimeOffset(DateTime.SpecifyKind(expiry, DateTimeKind.Utc));
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[hash] = (token, until);
        // Invalidate bumps the generation before it clears: if it ran at any point since the caller
        // read the generation, this entry may describe a deleted token.
        if (Generation != generation)
        {
            _entries.TryRemove(hash, out _);
        }
    }

    /// <summary>Forgets every lookup: call after deleting tokens, once the deletion committed.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}
