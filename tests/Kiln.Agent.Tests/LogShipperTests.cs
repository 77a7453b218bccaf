using Kiln.Contracts.AgentProtocol;
using Kiln.Execution;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Agent.Tests;

/// <summary>The log shipper against a real HTTP server: chunk numbering, wire format, retries, a lost
/// lease, back-pressure from a slow server, and the disk spool that absorbs a server outage.</summary>
public sealed class LogShipperTests
{
    private const long JobId = 42;
    private const string Lease = "lease-0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Chunks_are_numbered_from_zero_in_order_and_carry_every_line_once_in_the_wire_format()
    {
        await using var server = await FakeAgentServer.StartAsync();
        var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None);
        var expected = new List<string>();

        // Three batches with pauses longer than the 200 ms flush interval: at least three chunks.
        for (var batch = 0; batch < 3; batch++)
        {
            for (var i = 0; i < 5; i++)
            {
                var n = expected.Count;
                await shipper.WriteAsync(new LogLine(T0.AddMilliseconds(n), $"line {n} ünïcödé"), CancellationToken.None);
                expected.Add($"line {n} ünïcödé");
            }

            var before = server.LogAttempts.Count;
            await FakeAgentServer.WaitUntilAsync(() => server.LogAttempts.Count > before, Patience, $"the chunk of batch {batch}");
        }

        await shipper.CompleteAsync(CancellationToken.None);
        await shipper.DisposeAsync();

        var attempts = server.LogAttempts;
        Assert.True(attempts.Count >= 3, $"expected at least 3 chunks, got {attempts.Count}");
        Assert.Equal(Enumerable.Range(0, attempts.Count).Select(i => (long)i), attempts.Select(a => a.Sequence));
        Assert.All(attempts, a => Assert.Equal(StatusCodes.Status200OK, a.Answer));
        Assert.Equal(string.Concat(expected.Select(l => l + "\n")), server.LogText(JobId));

        var line = 0;
        foreach (var chunk in attempts)
        {
            Assert.Equal("text/plain; charset=utf-8", chunk.ContentType);
            Assert.Equal(Lease, chunk.Lease);
            Assert.Equal(chunk.Body.Count(c => c == '\n'), chunk.Lines);
            Assert.True(LogChunkWire.TryParseTimes(chunk.Times, out var times), $"malformed times header '{chunk.Times}'");
            Assert.Equal(0, times[0].Line);

            // Every line of the test has its own millisecond, so each has its own entry.
            Assert.Equal(chunk.Lines, times.Count);
            for (var i = 0; i < chunk.Lines; i++)
            {
                Assert.Equal(new LineTime(i, T0.AddMilliseconds(line + i).ToUnixTimeMilliseconds()), times[i]);
            }

            line += chunk.Lines;
        }
    }

    [Fact]
    public async Task Lines_sharing_a_timestamp_share_one_times_entry()
    {
        await using var server = await FakeAgentServer.StartAsync();
        var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None);
        foreach (var (offset, text) in new[] { (0, "a"), (0, "b"), (5, "c"), (5, "d"), (9, "e") })
        {
            await shipper.WriteAsync(new LogLine(T0.AddMilliseconds(offset), text), CancellationToken.None);
        }

        await shipper.CompleteAsync(CancellationToken.None);
        await shipper.DisposeAsync();

        var chunk = Assert.Single(server.LogAttempts);
        var ms = T0.ToUnixTimeMilliseconds();
        Assert.Equal($"0:{ms};2:{ms + 5};4:{ms + 9}", chunk.Times);
        Assert.Equal("a\nb\nc\nd\ne\n", chunk.Body);
        Assert.Equal(5, chunk.Lines);
    }

    [Fact]
    public async Task A_chunk_answered_503_is_resent_with_the_same_sequence_and_stored_once()
    {
        await using var server = await FakeAgentServer.StartAsync();
        server.LogPolicy = (attempt, n) => Task.FromResult(attempt.Sequence == 1 && n == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None);

        await shipper.WriteAsync(new LogLine(T0, "first"), CancellationToken.None);
        await FakeAgentServer.WaitUntilAsync(() => server.LogAttempts.Count >= 1, Patience, "chunk 0");
        await shipper.WriteAsync(new LogLine(T0, "second"), CancellationToken.None);
        await shipper.WriteAsync(new LogLine(T0, "third"), CancellationToken.None);
        await shipper.CompleteAsync(CancellationToken.None);
        await shipper.DisposeAsync();

        var attempts = server.LogAttempts;
        var ones = attempts.Where(a => a.Sequence == 1).ToList();
        Assert.Equal(2, ones.Count);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, ones[0].Answer);
        Assert.Equal(StatusCodes.Status200OK, ones[1].Answer);
        Assert.Equal(ones[0] with { Answer = 0 }, ones[1] with { Answer = 0 });
        var stored = server.StoredChunks(JobId);
        Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(c => c.Sequence));
        Assert.Equal(stored.Count + 1, attempts.Count);
        Assert.Equal("first\nsecond\nthird\n", server.LogText(JobId));
    }

    [Fact]
    public async Task A_409_ends_shipping_with_LeaseLostException_and_nothing_hangs()
    {
        await using var server = await FakeAgentServer.StartAsync();
        server.LogPolicy = (_, _) => Task.FromResult(StatusCodes.Status409Conflict);
        var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None);

        await shipper.WriteAsync(new LogLine(T0, "doomed"), CancellationToken.None);
        var error = await Assert.ThrowsAsync<LeaseLostException>(() => shipper.CompleteAsync(CancellationToken.None).WaitAsync(Patience));
        Assert.Equal(JobId, error.JobId);
        await shipper.DisposeAsync().AsTask().WaitAsync(Patience);

        // 409 is final: no retry of the refused chunk.
        Assert.Single(server.LogAttempts);
    }

    [Fact]
    public async Task Lines_written_after_a_409_neither_hang_nor_surface_as_anything_but_a_lost_lease()
    {
        await using var server = await FakeAgentServer.StartAsync();
        server.LogPolicy = (_, _) => Task.FromResult(StatusCodes.Status409Conflict);
        var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None);

        await shipper.WriteAsync(new LogLine(T0, "refused"), CancellationToken.None);
        await FakeAgentServer.WaitUntilAsync(() => server.LogAttempts.Count == 1, Patience, "the refused chunk");
        await Task.Delay(300);

        // The step goes on printing until the job runner notices; the periodic flush then meets the closed queue.
        await shipper.WriteAsync(new LogLine(T0, "after the lease was lost"), CancellationToken.None);
        await Task.Delay(600);

        await Assert.ThrowsAsync<LeaseLostException>(() => shipper.CompleteAsync(CancellationToken.None).WaitAsync(Patience));
        await shipper.DisposeAsync().AsTask().WaitAsync(Patience);
    }

    [Fact]
    public async Task Without_a_spool_a_stalled_server_makes_WriteAsync_wait_instead_of_buffering_without_bound()
    {
        await using var server = await FakeAgentServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.LogPolicy = async (_, _) =>
        {
            await release.Task;
            return StatusCodes.Status200OK;
        };
        var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None);

        // A quarter of a chunk per line: four lines seal a chunk.
        var big = new string('x', LogShipper.ChunkChars / 4);
        const int MaxLines = 80;
        var accepted = 0;
        Task? stuck = null;
        for (var i = 0; i < MaxLines; i++)
        {
            var write = shipper.WriteAsync(new LogLine(T0, $"{i:D3}{big}"), CancellationToken.None).AsTask();
            if (await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(1.5))) != write)
            {
                stuck = write;
                break;
            }

            await write;
            accepted++;
        }

        Assert.True(stuck is not null, $"all {MaxLines} lines (~{MaxLines / 4} MiB) were accepted while the server answered nothing");

        // Four chunks in memory (one of them in flight), plus the open chunk: at most six chunks' worth.
        Assert.InRange(accepted, 4, 6 * 4);
        await Task.Delay(500);
        Assert.False(stuck!.IsCompleted, "the writer went on while the server still stalled");

        release.SetResult();
        await stuck.WaitAsync(Patience);
        accepted++;
        await shipper.WriteAsync(new LogLine(T0, "tail"), CancellationToken.None);
        await shipper.CompleteAsync(CancellationToken.None).WaitAsync(Patience);
        await shipper.DisposeAsync();

        var lines = server.LogText(JobId).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(accepted + 1, lines.Length);
        Assert.Equal(Enumerable.Range(0, accepted).Select(i => i.ToString("D3")), lines[..accepted].Select(l => l[..3]));
        Assert.Equal("tail", lines[^1]);
        Assert.Equal(Enumerable.Range(0, server.LogAttempts.Count).Select(i => (long)i), server.LogAttempts.Select(a => a.Sequence));
    }

    [Fact]
    public async Task With_a_spool_a_stalled_server_does_not_block_the_writer_and_afterwards_every_line_arrives_once_in_order()
    {
        await using var server = await FakeAgentServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.LogPolicy = async (_, _) =>
        {
            await release.Task;
            return StatusCodes.Status200OK;
        };
        var spool = NewSpoolDir();
        try
        {
            var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None, spool);

            // ~12 MiB while the server answers nothing: three times what memory holds.
            var padding = new string('y', 500);
            const int Lines = 24_000;
            var writer = Task.Run(async () =>
            {
                for (var i = 0; i < Lines; i++)
                {
                    await shipper.WriteAsync(new LogLine(T0.AddMilliseconds(i / 100), $"line {i:D6} {padding}"), CancellationToken.None);
                }
            });
            await writer.WaitAsync(Patience);
            Assert.False(release.Task.IsCompleted);
            Assert.InRange(shipper.SpooledChunks, 4, 12);
            Assert.Equal(shipper.SpooledChunks, Directory.GetFiles(spool, "*.chunk").Length);
            Assert.True(server.StoredChunks(JobId).Count == 0, "the stalled server stored something");

            release.SetResult();
            await shipper.CompleteAsync(CancellationToken.None).WaitAsync(Patience);
            Assert.Equal(0, shipper.SpooledChunks);
            Assert.Empty(Directory.Exists(spool) ? Directory.GetFiles(spool) : []);
            await shipper.DisposeAsync();
            Assert.False(Directory.Exists(spool), "the spool folder outlived the shipper");

            var lines = server.LogText(JobId).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Enumerable.Range(0, Lines).Select(i => $"line {i:D6} {padding}"), lines);
            var stored = server.StoredChunks(JobId);
            Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(c => c.Sequence));

            // Spooled chunks travel with their line count and times intact.
            var line = 0;
            foreach (var chunk in stored)
            {
                Assert.Equal(chunk.Body.Count(c => c == '\n'), chunk.Lines);
                Assert.True(LogChunkWire.TryParseTimes(chunk.Times, out var times), $"malformed times header '{chunk.Times}'");
                Assert.Equal(new LineTime(0, T0.AddMilliseconds(line / 100).ToUnixTimeMilliseconds()), times[0]);
                line += chunk.Lines;
            }
        }
        finally
        {
            DeleteSpoolDir(spool);
        }
    }

    [Fact]
    public async Task A_full_spool_makes_the_writer_wait_and_nothing_is_lost()
    {
        await using var server = await FakeAgentServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.LogPolicy = async (_, _) =>
        {
            await release.Task;
            return StatusCodes.Status200OK;
        };
        var spool = NewSpoolDir();
        const long Cap = 3L * 1024 * 1024;
        try
        {
            var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => { }, CancellationToken.None, spool, Cap);

            // A quarter of a chunk per line: four lines seal a chunk.
            var big = new string('x', LogShipper.ChunkChars / 4);
            var accepted = 0;
            Task? stuck = null;
            for (var i = 0; i < 80; i++)
            {
                var write = shipper.WriteAsync(new LogLine(T0, $"{i:D3}{big}"), CancellationToken.None).AsTask();
                if (await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(1.5))) != write)
                {
                    stuck = write;
                    break;
                }

                await write;
                accepted++;
            }

            Assert.True(stuck is not null, "the writer was never held although the spool is capped");

            // Memory (four chunks) plus the spool (two chunks of just over 1 MiB fit in 3 MiB) plus the open chunk;
            // a periodic flush racing the writer may seal a small chunk, hence the ranges.
            Assert.InRange(accepted, 4 + 2, (4 + 3 + 1) * 4);
            Assert.InRange(shipper.SpooledChunks, 2, 3);
            Assert.True(Directory.GetFiles(spool).Sum(f => new FileInfo(f).Length) <= Cap, "the spool outgrew its cap");
            await Task.Delay(500);
            Assert.False(stuck!.IsCompleted, "the writer went on while memory and spool were full");

            release.SetResult();
            await stuck.WaitAsync(Patience);
            accepted++;
            await shipper.CompleteAsync(CancellationToken.None).WaitAsync(Patience);
            await shipper.DisposeAsync();
            Assert.False(Directory.Exists(spool));

            var lines = server.LogText(JobId).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Enumerable.Range(0, accepted).Select(i => i.ToString("D3")), lines.Select(l => l[..3]));
            Assert.Equal(Enumerable.Range(0, server.LogAttempts.Count).Select(i => (long)i), server.LogAttempts.Select(a => a.Sequence));
        }
        finally
        {
            DeleteSpoolDir(spool);
        }
    }

    [Fact]
    public async Task A_409_while_chunks_are_spooled_ends_shipping_and_the_spool_is_deleted()
    {
        await using var server = await FakeAgentServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.LogPolicy = async (_, _) =>
        {
            await release.Task;
            return StatusCodes.Status409Conflict;
        };
        var spool = NewSpoolDir();
        try
        {
            var lost = 0;
            var shipper = new LogShipper(server.CreateClient(), TimeProvider.System, NullLogger.Instance, JobId, Lease, () => Interlocked.Increment(ref lost), CancellationToken.None, spool);
            var big = new string('x', LogShipper.ChunkChars / 4);
            for (var i = 0; i < 40; i++)
            {
                await shipper.WriteAsync(new LogLine(T0, $"{i:D3}{big}"), CancellationToken.None).AsTask().WaitAsync(Patience);
            }

            Assert.True(shipper.SpooledChunks > 0, "nothing was spooled");
            release.SetResult();
            await Assert.ThrowsAsync<LeaseLostException>(() => shipper.CompleteAsync(CancellationToken.None).WaitAsync(Patience));
            await shipper.DisposeAsync().AsTask().WaitAsync(Patience);
            Assert.Equal(1, lost);
            Assert.False(Directory.Exists(spool), "the spool of a lost job was left behind");
            Assert.Single(server.LogAttempts);
        }
        finally
        {
            DeleteSpoolDir(spool);
        }
    }

    private static string NewSpoolDir() => Path.Combine(Path.GetTempPath(), "kiln-spool-tests-" + Guid.NewGuid().ToString("N"), "spool", $"job-{JobId}");

    private static void DeleteSpoolDir(string spool)
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(spool))!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
