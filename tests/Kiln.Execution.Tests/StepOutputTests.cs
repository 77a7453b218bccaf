using System.Globalization;
using System.Text;
using Kiln.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Execution.Tests;

public sealed class StepOutputTests
{
    private readonly StepHarness _harness = new();

    [Fact]
    public async Task A_million_lines_arrive_exactly_and_in_order()
    {
        var sink = new CountingSink();

        StepResult result = await _harness.RunAsync("seq 1000000", sink);

        Assert.Equal(StepOutcome.Succeeded, result.Outcome);
        Assert.Equal(1_000_000, sink.Count);
        Assert.Equal("1", sink.First);
        Assert.Equal("1000000", sink.Last);
        Assert.Equal(0, sink.OutOfOrder);
    }

    [Fact]
    public async Task A_10_MiB_line_without_newline_comes_out_in_marked_pieces()
    {
        var sink = new CollectingSink();

        await _harness.RunAsync("head -c 10485760 /dev/zero | tr '\\0' x", sink);

        List<string> pieces = sink.Texts;
        Assert.True(pieces.Count >= 10);
        Assert.All(pieces, piece => Assert.True(Encoding.UTF8.GetByteCount(piece) <= LogLimits.MaxLineBytes));
        Assert.All(pieces[..^1], piece => Assert.EndsWith(LogLimits.SplitMarker, piece, StringComparison.Ordinal));
        Assert.DoesNotContain(LogLimits.SplitMarker, pieces[^1], StringComparison.Ordinal);
        string content = string.Concat(pieces.Select(piece => piece.Replace(LogLimits.SplitMarker, "", StringComparison.Ordinal)));
        Assert.Equal(10 * 1024 * 1024, content.Length);
        Assert.True(content.All(c => c == 'x'));
    }

    [Fact]
    public async Task NUL_and_invalid_UTF8_become_valid_text()
    {
        var sink = new CollectingSink();

        await _harness.RunAsync("printf 'a\\000b\\377c\\n\\303\\251\\n'", sink);

        Assert.Equal(["a\u2400b\uFFFDc", "é"], sink.Texts);
    }

    [Fact]
    public async Task Carriage_return_progress_keeps_what_a_terminal_shows()
    {
        var sink = new CollectingSink();

        await _harness.RunAsync("printf '10%%\\r20%%\\r30%%\\r\\nwindows\\r\\nlast'", sink);

        Assert.Equal(["30%", "windows", "last"], sink.Texts);
    }

    [Fact]
    public async Task Timestamps_come_from_the_time_provider()
    {
        var now = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var executor = new ShellStepExecutor(new FixedTimeProvider(now), NullLogger<ShellStepExecutor>.Instance, new ShellExecutorOptions());
        var sink = new CollectingSink();

        await executor.RunAsync(_harness.Request("echo a; echo b"), sink, CancellationToken.None);

        Assert.Equal([new LogLine(now, "a"), new LogLine(now, "b")], sink.Lines);
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class CountingSink : ILogSink
    {
        public int Count { get; private set; }

        public int OutOfOrder { get; private set; }

        public string? First { get; private set; }

        public string? Last { get; private set; }

        public ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken)
        {
            Count++;
            First ??= line.Text;
            Last = line.Text;
            if (!int.TryParse(line.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value != Count)
            {
                OutOfOrder++;
            }

            return ValueTask.CompletedTask;
        }
    }
}
