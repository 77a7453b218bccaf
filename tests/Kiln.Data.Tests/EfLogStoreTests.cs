using System.Text;
using Kiln.Core.Builds;
using Kiln.Data.Logs;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Tests;

public abstract class EfLogStoreTests : IAsyncLifetime
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    // 2026-01-01T00:00:00Z
    private const long T0 = 1_767_225_600_000;

    private TestDatabase db = null!;
    private long jobId;

    public async Task InitializeAsync()
    {
        db = await TestDatabase.CreateAsync(this);
        var seeded = await db.SeedBuildAsync("app", ("a", JobStatus.Running, []));
        jobId = seeded["a"];
        await using var ctx = db.NewContext();
        await ctx.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseToken, Token));
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [DatabaseFact]
    public async Task Appends_store_chunks_in_order_with_offsets_in_utf8_bytes()
    {
        string[] texts = ["héllo\n", "日本語\nok\n", "😀\n"];

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(LogAppendResult.Appended, await AppendAsync(i, texts[i]));
        }

        await using var check = db.NewContext();
        var chunks = await check.LogChunks.Where(c => c.JobId == jobId).OrderBy(c => c.Sequence).ToListAsync();
        Assert.Equal([0L, 1L, 2L], chunks.Select(c => c.Sequence));
        Assert.Equal(texts, chunks.Select(c => c.Text));
        // "héllo\n" is 7 bytes, "日本語\nok\n" 13, "😀\n" 5.
        Assert.Equal([0L, 7L, 20L], chunks.Select(c => c.Offset));
        Assert.Equal([7, 13, 5], chunks.Select(c => c.ByteLength));
        Assert.Equal([1, 2, 1], chunks.Select(c => c.LineCount));
        var job = await check.Jobs.SingleAsync(j => j.Id == jobId);
        Assert.Equal(25, job.LogBytes);
        Assert.Equal(3, job.NextLogSequence);
    }

    [DatabaseFact]
    public async Task A_resent_sequence_is_a_duplicate_and_is_not_stored_twice()
    {
        await AppendAsync(0, "first\n");
        await AppendAsync(1, "second\n");

        Assert.Equal(LogAppendResult.Duplicate, await AppendAsync(0, "first\n"));
        Assert.Equal(LogAppendResult.Duplicate, await AppendAsync(1, "something else\n"));

        await using var check = db.NewContext();
        Assert.Equal(["first\n", "second\n"], await check.LogChunks.OrderBy(c => c.Sequence).Select(c => c.Text).ToListAsync());
        var job = await check.Jobs.SingleAsync();
        Assert.Equal(13, job.LogBytes);
        Assert.Equal(2, job.NextLogSequence);
    }

    [DatabaseFact]
    public async Task A_resend_after_the_lease_ended_is_still_a_harmless_duplicate()
    {
        await AppendAsync(0, "line\n");
        await EndLeaseAsync();

        Assert.Equal(LogAppendResult.Duplicate, await AppendAsync(0, "line\n"));
    }

    [DatabaseFact]
    public async Task A_gap_in_sequences_is_out_of_order_and_stores_nothing()
    {
        await AppendAsync(0, "a\n");

        Assert.Equal(LogAppendResult.OutOfOrder, await AppendAsync(2, "c\n"));
        Assert.Equal(LogAppendResult.Appended, await AppendAsync(1, "b\n"));
        Assert.Equal(LogAppendResult.Appended, await AppendAsync(2, "c\n"));

        Assert.Equal("a\nb\nc\n", await ReadAllAsync(0));
    }

    [DatabaseFact]
    public async Task A_wrong_token_is_a_stale_lease_and_stores_nothing()
    {
        Assert.Equal(LogAppendResult.StaleLease, await AppendAsync(0, "x\n", token: "ffffffffffffffffffffffffffffffff"));

        await using var check = db.NewContext();
        Assert.Empty(await check.LogChunks.ToListAsync());
        Assert.Equal(0, (await check.Jobs.SingleAsync()).NextLogSequence);
    }

    [DatabaseFact]
    public async Task A_new_chunk_after_the_job_ended_is_a_stale_lease()
    {
        await AppendAsync(0, "x\n");
        await EndLeaseAsync();

        Assert.Equal(LogAppendResult.StaleLease, await AppendAsync(1, "y\n"));
        Assert.Equal(LogAppendResult.StaleLease, await AppendAsync(0, "x\n", job: jobId + 1000));
    }

    [DatabaseFact]
    public async Task Read_from_zero_returns_every_chunk_in_order_with_contiguous_offsets()
    {
        var expected = new StringBuilder();
        // More than one page of chunks.
        for (var i = 0; i < 150; i++)
        {
            var text = $"line {i} ü\n";
            expected.Append(text);
            Assert.Equal(LogAppendResult.Appended, await AppendAsync(i, text));
        }

        var slices = await ReadAsync(0);

        Assert.Equal(150, slices.Count);
        Assert.Equal(expected.ToString(), string.Concat(slices.Select(s => s.Text)));
        Assert.Equal(0, slices[0].StartOffset);
        for (var i = 1; i < slices.Count; i++)
        {
            Assert.Equal(slices[i - 1].EndOffset, slices[i].StartOffset);
        }

        Assert.Equal(Encoding.UTF8.GetByteCount(expected.ToString()), slices[^1].EndOffset);
    }

    [DatabaseFact]
    public async Task Read_from_a_mid_chunk_offset_returns_exactly_the_rest()
    {
        var all = "αβ\nγδ\nεζ\n" + "tail ✓\n";
        await AppendAsync(0, "αβ\nγδ\nεζ\n");
        await AppendAsync(1, "tail ✓\n");
        var bytes = Encoding.UTF8.GetBytes(all);

        // Every line start, inside the first chunk and at the second.
        foreach (var offset in new[] { 5, 10, 15 })
        {
            var slices = await ReadAsync(offset);
            Assert.Equal(offset, slices[0].StartOffset);
            Assert.Equal(Encoding.UTF8.GetString(bytes, offset, bytes.Length - offset), string.Concat(slices.Select(s => s.Text)));
            Assert.Equal(bytes.Length, slices[^1].EndOffset);
        }

        Assert.Equal(["γδ\nεζ\n", "tail ✓\n"], (await ReadAsync(5)).Select(s => s.Text));
        Assert.Empty(await ReadAsync(bytes.Length));
    }

    [DatabaseFact]
    public async Task A_cut_chunk_keeps_the_timestamps_of_the_lines_it_still_holds()
    {
        // Lines 0-1 at T0, line 2 at T0+2s, line 3 at T0+3.5s.
        await AppendAsync(0, "a\nb\nc\nd\n", lineCount: 4, times: $"0:{T0};2:{T0 + 2000};3:{T0 + 3500}");

        var fromB = Assert.Single(await ReadAsync(2));
        var fromC = Assert.Single(await ReadAsync(4));

        Assert.Equal("2026-01-01T00:00:00.000Z b\n2026-01-01T00:00:02.000Z c\n2026-01-01T00:00:03.500Z d\n", fromB.WithTimestamps());
        Assert.Equal("2026-01-01T00:00:02.000Z c\n2026-01-01T00:00:03.500Z d\n", fromC.WithTimestamps());
    }

    [DatabaseFact]
    public void WithTimestamps_prefixes_each_line_with_the_time_of_the_last_mark_at_or_before_it()
    {
        var slice = new LogSlice(0, 19, "one\ntwo\nthree\nfour\n", $"0:{T0};2:{T0 + 61_250}");

        Assert.Equal(
            "2026-01-01T00:00:00.000Z one\n" +
            "2026-01-01T00:00:00.000Z two\n" +
            "2026-01-01T00:01:01.250Z three\n" +
            "2026-01-01T00:01:01.250Z four\n",
            slice.WithTimestamps());
    }

    [DatabaseFact]
    public async Task Timestamps_stored_with_a_chunk_come_back_on_read()
    {
        await AppendAsync(0, "x\n", lineCount: 1, times: $"0:{T0 + 1}");
        await AppendAsync(1, "y\nz\n", lineCount: 2, times: $"0:{T0 + 2};1:{T0 + 3}");

        var text = string.Concat((await ReadAsync(0)).Select(s => s.WithTimestamps()));

        Assert.Equal("2026-01-01T00:00:00.001Z x\n2026-01-01T00:00:00.002Z y\n2026-01-01T00:00:00.003Z z\n", text);
    }

    private async Task<LogAppendResult> AppendAsync(long sequence, string text, string token = Token, long? job = null, int? lineCount = null, string? times = null)
    {
        await using var ctx = db.NewContext();
        return await new EfLogStore(ctx).AppendAsync(job ?? jobId, token, sequence, text,
            lineCount ?? text.Count(c => c == '\n'), times ?? $"0:{T0}", default);
    }

    private async Task<List<LogSlice>> ReadAsync(long from)
    {
        await using var ctx = db.NewContext();
        var slices = new List<LogSlice>();
        await foreach (var slice in new EfLogStore(ctx).ReadAsync(jobId, from, default))
        {
            slices.Add(slice);
        }

        return slices;
    }

    private async Task<string> ReadAllAsync(long from) => string.Concat((await ReadAsync(from)).Select(s => s.Text));

    private async Task EndLeaseAsync()
    {
        await using var ctx = db.NewContext();
        await ctx.Jobs.ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded).SetProperty(j => j.LeaseToken, (string?)null));
    }
}

public sealed class EfLogStoreOnSqlite : EfLogStoreTests;

public sealed class EfLogStoreOnPostgres : EfLogStoreTests, IOnPostgres;
