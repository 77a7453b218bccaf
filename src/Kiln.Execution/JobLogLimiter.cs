using System.Text;

namespace Kiln.Execution;

/// <summary>
/// Caps one job's log. Lines pass through until <c>cap - tail</c> bytes were written; after that
/// only the most recent lines are kept, in a ring of at most <see cref="TailBytes"/> bytes
/// (<c>min(cap / 10, 16 MiB)</c>), and older ones are counted and dropped.
/// <see cref="CompleteAsync"/> then writes a banner saying what was omitted, followed by the ring.
/// A line's size is its UTF-8 length plus one for its newline. A single line larger than the
/// whole tail is dropped (and counted). Memory stays bounded by <see cref="TailBytes"/>.
/// Like every sink, it is called by one writer at a time; it is not thread-safe.
/// </summary>
public sealed class JobLogLimiter : ILogSink
{
    private const long MaxTailBytes = 16L * 1024 * 1024;

    private readonly ILogSink _inner;
    private readonly long _passThroughBytes;
    private readonly Queue<(LogLine Line, long Bytes)> _ring = new();
    private long _written;
    private bool _tailing;
    private bool _completed;
    private DateTimeOffset _lastOmittedAt;

    /// <param name="inner">Where lines go.</param>
    /// <param name="capBytes">The most bytes this job's log may hold, plus one banner line.</param>
    public JobLogLimiter(ILogSink inner, long capBytes)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capBytes);
        _inner = inner;
        TailBytes = Math.Min(capBytes / 10, MaxTailBytes);
        _passThroughBytes = capBytes - TailBytes;
    }

    /// <summary>The size of the ring of most recent lines kept once the cap is near.</summary>
    public long TailBytes { get; }

    /// <summary>Bytes held in the ring now; never more than <see cref="TailBytes"/>.</summary>
    public long BufferedBytes { get; private set; }

    /// <summary>Lines dropped so far.</summary>
    public long OmittedLines { get; private set; }

    /// <summary>Bytes dropped so far.</summary>
    public long OmittedBytes { get; private set; }

    /// <inheritdoc />
    public ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        long bytes = Encoding.UTF8.GetByteCount(line.Text) + 1;
        if (!_tailing)
        {
            if (_written + bytes <= _passThroughBytes)
            {
                _written += bytes;
                return _inner.WriteAsync(line, cancellationToken);
            }

            _tailing = true;
        }

        Keep(line, bytes);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// At the end of the job: writes "[kiln] log truncated: N lines (M bytes) omitted; the last K
    /// bytes follow" if anything was dropped, then the kept lines. Later writes throw.
    /// </summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (OmittedLines > 0)
        {
            string banner = $"[kiln] log truncated: {OmittedLines} lines ({OmittedBytes} bytes) omitted; the last {BufferedBytes} bytes follow";
            await _inner.WriteAsync(new LogLine(_lastOmittedAt, banner), cancellationToken);
        }

        while (_ring.TryDequeue(out (LogLine Line, long Bytes) kept))
        {
            BufferedBytes -= kept.Bytes;
            await _inner.WriteAsync(kept.Line, cancellationToken);
        }
    }

    private void Keep(LogLine line, long bytes)
    {
        if (bytes > TailBytes)
        {
            Omit(line.Timestamp, bytes);
            return;
        }

        while (BufferedBytes + bytes > TailBytes)
        {
            (LogLine oldest, long oldestBytes) = _ring.Dequeue();
            BufferedBytes -= oldestBytes;
            Omit(oldest.Timestamp, oldestBytes);
        }

        _ring.Enqueue((line, bytes));
        BufferedBytes += bytes;
    }

    private void Omit(DateTimeOffset timestamp, long bytes)
    {
        OmittedLines++;
        OmittedBytes += bytes;
        _lastOmittedAt = timestamp;
    }
}
