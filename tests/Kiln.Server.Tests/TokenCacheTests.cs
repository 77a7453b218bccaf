using Kiln.Server.Auth;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Server.Tests;

/// <summary>The few seconds a validated token lookup is trusted, and the evictions that end it sooner.</summary>
public sealed class TokenCacheTests
{
    private static readonly CachedToken Token = new(1, "ci", 7, null, "write", "admin", true);

    [Fact]
    public void A_lookup_is_trusted_for_its_lifetime_and_no_longer()
    {
        var clock = new FakeTimeProvider();
        var cache = new TokenCache(clock);
        cache.Add("h", Token, null, cache.Generation);

        clock.Advance(TokenCache.Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.True(cache.TryGet("h", out var hit));
        Assert.Equal(Token, hit);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(cache.TryGet("h", out _));
    }

    [Fact]
    public void A_token_that_expires_sooner_is_trusted_only_until_it_expires()
    {
        var clock = new FakeTimeProvider();
        var cache = new TokenCache(clock);
        cache.Add("h", Token, clock.GetUtcNow().UtcDateTime.AddSeconds(1), cache.Generation);

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(cache.TryGet("h", out _));
    }

    [Fact]
    public void Invalidate_forgets_every_lookup()
    {
        var cache = new TokenCache(new FakeTimeProvider());
        cache.Add("a", Token, null, cache.Generation);
        cache.Add("b", Token with { Id = 2 }, null, cache.Generation);

        cache.Invalidate();

        Assert.False(cache.TryGet("a", out _));
        Assert.False(cache.TryGet("b", out _));
    }

    [Fact]
    public void A_lookup_made_before_a_revocation_is_not_cached_after_it()
    {
        var cache = new TokenCache(new FakeTimeProvider());
        var generation = cache.Generation;
        // The database said "valid", then the token was revoked before the answer reached the cache.
        cache.Invalidate();

        cache.Add("h", Token, null, generation);

        Assert.False(cache.TryGet("h", out _));
    }
}

/// <summary>A lease poll writes the agent's last-seen time at most once per interval.</summary>
public sealed class AgentSeenThrottleTests
{
    [Fact]
    public void A_poll_writes_once_per_interval_per_agent()
    {
        var clock = new FakeTimeProvider();
        var throttle = new Kiln.Server.AgentApi.AgentSeenThrottle(clock);
        var interval = TimeSpan.FromSeconds(5);

        Assert.True(throttle.ShouldWrite(1, interval));
        Assert.False(throttle.ShouldWrite(1, interval));
        Assert.True(throttle.ShouldWrite(2, interval));

        clock.Advance(interval - TimeSpan.FromMilliseconds(1));
        Assert.False(throttle.ShouldWrite(1, interval));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(throttle.ShouldWrite(1, interval));
    }

    [Theory]
    [InlineData(60, 5.0)]
    [InlineData(8, 2.0)]
    public void The_interval_stays_well_inside_the_offline_threshold(int leaseSeconds, double expected)
    {
        Assert.Equal(TimeSpan.FromSeconds(expected), Kiln.Server.AgentApi.AgentSeenThrottle.Interval(leaseSeconds));
    }
}
