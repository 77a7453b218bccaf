namespace Kiln.Data.Logs;

/// <summary>Job logs as append-only chunks keyed by (job, sequence).</summary>
public interface ILogStore
{
    /// <summary>Stores chunk <paramref name="sequence"/> of a running job whose lease is <paramref name="leaseToken"/>.
    /// A sequence already stored is a no-op (<see cref="LogAppendResult.Duplicate"/>), so agents may resend.
    /// Chunk and the job's byte count commit in one transaction: a crash stores all of it or none.</summary>
    Task<LogAppendResult> AppendAsync(long jobId, string leaseToken, long sequence, string text, int lineCount, string times, CancellationToken cancellationToken);

    /// <summary>The chunks from byte <paramref name="fromOffset"/> on, in order; the first may be cut to start there.</summary>
    IAsyncEnumerable<LogSlice> ReadAsync(long jobId, long fromOffset, CancellationToken cancellationToken);
}

public enum LogAppendResult
{
    Appended,
    Duplicate,
    StaleLease,
    /// <summary>The sequence skips ahead of the next one expected; the agent must send the missing ones first.</summary>
    OutOfOrder,
}
