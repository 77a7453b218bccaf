using System.Runtime.CompilerServices;
using System.Text;
using Kiln.Core.Builds;
using Kiln.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Logs;

public sealed class EfLogStore(KilnDbContext db) : ILogStore
{
    public async Task<LogAppendResult> AppendAsync(long jobId, string leaseToken, long sequence, string text, int lineCount, string times, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var job = await db.Jobs
            .Where(j => j.Id == jobId)
            .Select(j => new { j.LeaseToken, j.Status, j.LogBytes, j.NextLogSequence })
            .SingleOrDefaultAsync(cancellationToken);
        if (job is null)
        {
            return LogAppendResult.StaleLease;
        }

        // A resend of a chunk stored before the lease ended is still a harmless duplicate.
        if (sequence < job.NextLogSequence)
        {
            return LogAppendResult.Duplicate;
        }

        if (job.LeaseToken != leaseToken || job.Status != JobStatus.Running)
        {
            return LogAppendResult.StaleLease;
        }

        if (sequence > job.NextLogSequence)
        {
            return LogAppendResult.OutOfOrder;
        }

        // The write itself is fenced: between the read above and here the reaper may have ended the job
        // (on PostgreSQL nothing held its row), and then no chunk may land. The fenced update comes first,
        // so it also locks the row until the chunk is in.
        var bytes = Encoding.UTF8.GetByteCount(text);
        var fenced = await db.Jobs
            .Where(j => j.Id == jobId && j.LeaseToken == leaseToken && j.Status == JobStatus.Running && j.NextLogSequence == sequence)
            .ExecuteUpdateAsync(
                s => s.SetProperty(j => j.LogBytes, j => j.LogBytes + bytes).SetProperty(j => j.NextLogSequence, sequence + 1),
                cancellationToken);
        if (fenced != 1)
        {
            return LogAppendResult.StaleLease;
        }

        db.LogChunks.Add(new LogChunkEntity
        {
            JobId = jobId,
            Sequence = sequence,
            Offset = job.LogBytes,
            ByteLength = bytes,
            LineCount = lineCount,
            Text = text,
            Times = times,
        });
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return LogAppendResult.Appended;
    }

    public async IAsyncEnumerable<LogSlice> ReadAsync(long jobId, long fromOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Read in pages so a 100 MB log is never held whole.
        var position = fromOffset;
        while (true)
        {
            var page = await db.LogChunks.AsNoTracking()
                .Where(c => c.JobId == jobId && c.Offset + c.ByteLength > position)
                .OrderBy(c => c.Sequence)
                .Take(64)
                .ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var chunk in page)
            {
                var end = chunk.Offset + chunk.ByteLength;
                if (position <= chunk.Offset)
                {
                    yield return new LogSlice(chunk.Offset, end, chunk.Text, chunk.Times);
                }
                else
                {
                    yield return Cut(chunk, position);
                }

                position = end;
            }
        }
    }

    /// <summary>The part of a chunk from a byte offset inside it; timestamps shift with the lines dropped.</summary>
    private static LogSlice Cut(LogChunkEntity chunk, long from)
    {
        var bytes = Encoding.UTF8.GetBytes(chunk.Text);
        var skip = (int)(from - chunk.Offset);
        var droppedLines = 0;
        for (var i = 0; i < skip; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                droppedLines++;
            }
        }

        var marks = LogSlice.ParseTimes(chunk.Times);
        var shifted = new List<(int Line, long UnixMs)>();
        foreach (var (line, ms) in marks)
        {
            var l = Math.Max(0, line - droppedLines);
            if (shifted.Count > 0 && shifted[^1].Line == l)
            {
                shifted[^1] = (l, ms);
            }
            else
            {
                shifted.Add((l, ms));
            }
        }

        return new LogSlice(from, chunk.Offset + chunk.ByteLength, Encoding.UTF8.GetString(bytes, skip, bytes.Length - skip), LogSlice.FormatTimes(shifted));
    }
}
