using System.Text;
using System.Threading.Channels;
using Kiln.Contracts.AgentProtocol;
using Kiln.Execution;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>Ships a job's log to the server as numbered chunks. Lines gather into a chunk until it
/// holds <see cref="ChunkChars"/> characters or <see cref="FlushInterval"/> passed; a single sender
/// posts chunks in sequence order and retries each until stored (the server ignores resends).
/// <para>Sealed chunks wait in memory, at most <see cref="MemoryChunks"/> of them (counting the one
/// being sent). When those are taken (the server is down or slow) further chunks go to a spool on
/// disk (<see cref="LogSpool"/>), so a chatty step keeps running at full speed through a server
/// restart; the sender takes memory and spool in one queue, so order is kept. Only when the spool
/// reaches its cap (or there is none) does <see cref="WriteAsync"/> wait, which slows the step down
/// instead of filling memory or disk. While chunks wait, the periodic flush leaves the open chunk
/// alone, so an outage makes a few large chunks rather than many small ones.</para></summary>
public sealed class LogShipper : ILogSink, IAsyncDisposable
{
    public const int ChunkChars = 1024 * 1024;
    /// <summary>Sealed chunks held in memory, including the one being sent.</summary>
    public const int MemoryChunks = 4;
    public const long DefaultSpoolCapBytes = 1L << 30;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly ServerClient _server;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _jobId;
    private readonly string _lease;
    private readonly LogSpool? _spool;
    private readonly Channel<Pending> _sealed = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _memory = new(MemoryChunks, MemoryChunks);
    private readonly CancellationTokenSource _senderStopped = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private readonly Task _flusher;
    private StringBuilder _text = new();
    private List<LineTime> _times = [];
    private int _lines;
    private long _lastMs = -1;
    private long _sequence;
    private bool _spoolFailed;

    private readonly Action _onLeaseLost;

    /// <param name="onLeaseLost">Called once if the server refuses a chunk with 409: the job is no longer ours.</param>
    /// <param name="spoolDirectory">A folder of this job's own for chunks that do not fit in memory; it is
    /// emptied first and deleted on dispose. Null: no spool, a full queue makes writers wait.</param>
    /// <param name="spoolCapBytes">The most the spool may hold on disk; past it writers wait.</param>
    public LogShipper(ServerClient server, TimeProvider time, ILogger logger, long jobId, string lease, Action onLeaseLost, CancellationToken reportToken, string? spoolDirectory = null, long spoolCapBytes = DefaultSpoolCapBytes)
    {
        _onLeaseLost = onLeaseLost;
        _server = server;
        _time = time;
        _logger = logger;
        _jobId = jobId;
        _lease = lease;
        _spool = spoolDirectory is null ? null : new LogSpool(spoolDirectory, spoolCapBytes);
        _sender = Task.Run(() => SendAllAsync(reportToken), CancellationToken.None);
        _flusher = Task.Run(() => FlushPeriodicallyAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Chunks on disk now, waiting to be sent.</summary>
    internal int SpooledChunks => _spool?.Count ?? 0;

    /// <summary>Chunks are waiting for the sender beyond what memory holds: no point sealing small ones.</summary>
    private bool Backlogged => _memory.CurrentCount == 0 || SpooledChunks > 0;

    public async ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var ms = line.Timestamp.ToUnixTimeMilliseconds();
            if (ms != _lastMs)
            {
                _times.Add(new LineTime(_lines, ms));
                _lastMs = ms;
            }

            _text.Append(line.Text).Append('\n');
            _lines++;
            if (_text.Length >= ChunkChars)
            {
                await SealAsync(cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends what is left and waits until every chunk is stored.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _flusher;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await SealAsync(cancellationToken);
            _sealed.Writer.TryComplete();
        }
        catch (ChannelClosedException)
        {
            // The sender stopped; awaiting it below surfaces why (a lost lease, say).
        }
        finally
        {
            _gate.Release();
        }

        await _sender.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _sealed.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_flusher, _sender);
        }
        catch (Exception e) when (e is OperationCanceledException or LeaseLostException or HttpRequestException)
        {
            // Ending early: the job is over for this agent either way, and the error was handled where it arose.
        }

        // Whatever is still spooled was not wanted any more (a lost lease, a cancel): it goes with the folder.
        _spool?.DeleteAll();
        _stop.Dispose();
        _gate.Dispose();
        _memory.Dispose();
        _senderStopped.Dispose();
    }

    /// <summary>Moves the open chunk to the send queue: into memory if there is room, else to the spool,
    /// else waits for room in memory. Caller holds the gate, so chunks queue in order.</summary>
    private async ValueTask SealAsync(CancellationToken cancellationToken)
    {
        if (_lines == 0)
        {
            return;
        }

        var chunk = new LogChunkUpload(_lease, _sequence++, _text.ToString(), _lines, _times);
        _text = new StringBuilder(Math.Min(ChunkChars + 4096, _text.Capacity));
        _times = [];
        _lines = 0;
        _lastMs = -1;
        if (_memory.Wait(0, CancellationToken.None))
        {
            await EnqueueAsync(new Pending(chunk, null, 0), cancellationToken);
            return;
        }

        if (_spool is not null && !_spoolFailed && await TrySpoolAsync(chunk, cancellationToken) is { } spooled)
        {
            await EnqueueAsync(new Pending(null, spooled.Path, spooled.Bytes), cancellationToken);
            return;
        }

        // Memory and spool are full: wait for the sender, as a bounded queue would.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _senderStopped.Token);
        try
        {
            await _memory.WaitAsync(waiting.Token);
        }
        catch (OperationCanceledException) when (_senderStopped.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Nobody drains the queue any more; writing to it surfaces why.
        }

        await EnqueueAsync(new Pending(chunk, null, 0), cancellationToken);
    }

    private async ValueTask EnqueueAsync(Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            await _sealed.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException) when (pending.Path is { } path)
        {
            _spool!.Release(path, pending.Bytes);
            throw;
        }
    }

    private async Task<(string Path, long Bytes)?> TrySpoolAsync(LogChunkUpload chunk, CancellationToken cancellationToken)
    {
        try
        {
            return await _spool!.TryWriteAsync(chunk, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk, say: carry on without the spool, slowing the step down instead.
            _spoolFailed = true;
            _logger.LogWarning("Job {JobId}: cannot spool log chunks to {Dir} ({Error}); the step will wait for the server instead", _jobId, _spool!.Directory, e.Message);
            return null;
        }
    }

    private async Task FlushPeriodicallyAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(FlushInterval, _time, stop);
                if (Backlogged)
                {
                    // The sender is behind (the server is down or slow): let the open chunk grow instead.
                    continue;
                }

                await _gate.WaitAsync(stop);
                try
                {
                    await SealAsync(stop);
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Completing: the final seal happens in CompleteAsync.
        }
        catch (ChannelClosedException)
        {
            // The sender stopped (a lost lease); nothing more to flush.
        }
    }

    private async Task SendAllAsync(CancellationToken reportToken)
    {
        try
        {
            await foreach (var pending in _sealed.Reader.ReadAllAsync(reportToken))
            {
                if (pending.Chunk is { } chunk)
                {
                    await _server.AppendLogAsync(_jobId, chunk, reportToken);
                    _memory.Release();
                }
                else
                {
                    chunk = await LogSpool.ReadAsync(pending.Path!, _lease, reportToken);
                    await _server.AppendLogAsync(_jobId, chunk, reportToken);
                    _spool!.Release(pending.Path!, pending.Bytes);
                }

                _logger.LogTrace("Job {JobId}: log chunk {Sequence} stored ({Lines} lines)", _jobId, chunk.Sequence, chunk.LineCount);
            }
        }
        catch (Exception e)
        {
            // Writers must not wait forever on a queue nobody drains.
            _sealed.Writer.TryComplete(e);
            await _senderStopped.CancelAsync();
            if (e is LeaseLostException)
            {
                _onLeaseLost();
            }

            throw;
        }
    }

    /// <summary>A sealed chunk waiting for the sender: in memory, or in a spool file of <c>Bytes</c> bytes.</summary>
    private sealed record Pending(LogChunkUpload? Chunk, string? Path, long Bytes);
}
