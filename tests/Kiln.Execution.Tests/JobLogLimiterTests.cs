using Kiln.Execution;

namespace Kiln.Execution.Tests;

public sealed class JobLogLimiterTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static LogLine Line(int number) => new(At.AddSeconds(number), $"line {number:D4}"); // 9 chars + newline = 10 bytes

    [Fact]
    public async Task Under_the_cap_everything_passes_through_without_a_banner()
    {
        var inner = new CollectingSink();
        var limiter = new JobLogLimiter(inner, capBytes: 1000);

        for (int i = 0; i < 90; i++)
        {
            await limiter.WriteAsync(Line(i), CancellationToken.None);
        }

        Assert.Equal(90, inner.Lines.Count);
        await limiter.CompleteAsync(CancellationToken.None);
        Assert.Equal(90, inner.Lines.Count);
        Assert.Equal(0, limiter.OmittedLines);
    }

    [Fact]
    public async Task Over_the_cap_keeps_the_head_and_the_tail_with_a_banner_between()
    {
        var inner = new CollectingSink();
        var limiter = new JobLogLimiter(inner, capBytes: 1000); // tail 100 bytes = 10 lines, head 900 bytes = 90 lines

        for (int i = 0; i < 500; i++)
        {
            await limiter.WriteAsync(Line(i), CancellationToken.None);
        }

        Assert.Equal(90, inner.Lines.Count);
        await limiter.CompleteAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 90).Select(i => Line(i).Text), inner.Texts.Take(90));
        Assert.Equal("[kiln] log truncated: 400 lines (4000 bytes) omitted; the last 100 bytes follow", inner.Texts[90]);
        Assert.Equal(Enumerable.Range(490, 10).Select(i => Line(i).Text), inner.Texts.Skip(91));
        Assert.Equal(Line(489).Timestamp, inner.Lines[90].Timestamp);
    }

    [Fact]
    public async Task The_ring_never_holds_more_than_the_tail()
    {
        var limiter = new JobLogLimiter(new CollectingSink(), capBytes: 10_000);
        var random = new Random(42);

        for (int i = 0; i < 5000; i++)
        {
            await limiter.WriteAsync(new LogLine(At, new string('z', random.Next(0, 300))), CancellationToken.None);
            Assert.True(limiter.BufferedBytes <= limiter.TailBytes, $"{limiter.BufferedBytes} > {limiter.TailBytes}");
        }

        Assert.True(limiter.OmittedLines > 0);
    }

    [Fact]
    public async Task A_line_larger_than_the_tail_is_omitted_and_counted()
    {
        var inner = new CollectingSink();
        var limiter = new JobLogLimiter(inner, capBytes: 100); // tail 10 bytes

        await limiter.WriteAsync(new LogLine(At, new string('a', 200)), CancellationToken.None);
        await limiter.WriteAsync(new LogLine(At, "end"), CancellationToken.None);
        await limiter.CompleteAsync(CancellationToken.None);

        Assert.Equal(["[kiln] log truncated: 1 lines (201 bytes) omitted; the last 4 bytes follow", "end"], inner.Texts);
    }

    [Fact]
    public void The_tail_is_a_tenth_of_the_cap_up_to_16_MiB()
    {
        Assert.Equal(100, new JobLogLimiter(new CollectingSink(), 1000).TailBytes);
        Assert.Equal(16L * 1024 * 1024, new JobLogLimiter(new CollectingSink(), 1L << 30).TailBytes);
    }

    [Fact]
    public async Task Writing_after_completion_throws()
    {
        var limiter = new JobLogLimiter(new CollectingSink(), 1000);
        await limiter.CompleteAsync(CancellationToken.None);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => limiter.WriteAsync(Line(1), CancellationToken.None).AsTask());
    }
}
