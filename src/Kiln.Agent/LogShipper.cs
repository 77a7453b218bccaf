using System.Text;
using System.Threading.Channels;
using Kiln.Contracts.AgentProtocol;
using Kiln.Execution;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>Ships a job's log to the server as numbered chunks. Lines gather into a chunk until it
/// holds <see cref="ChunkChars"/> characters or <see cref="FlushInterval"/> passed; a single sender
/// posts chunks in order and retries each until stored (the server ignores resends). The queue of
/// sealed chunks is bounded, so a step that floods output is slowed down instead of filling memory.</summary>
public sealed class LogShipper : ILogSink, IAsyncDisposable
{
    public const int ChunkChars = 1024 * 1024;
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly ServerClient _server;
    private readonly ILogger _logger;
    private readonly long _jobId;
    private readonly string _lease;
    private readonly Channel<LogChunkUpload> _sealed = Channel.CreateBounded<LogChunkUpload>(new BoundedChannelOptions(4) { SingleReader = true });
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private readonly Task _flusher;
    private StringBuilder _text = new();
    private List<LineTime> _times = [];
    private int _lines;
    private long _lastMs = -1;
    private long _sequence;

    private readonly Action _onLeaseLost;

    /// <param name="onLeaseLost">Called once if the server refuses a chunk with 409: the job is no longer ours.</param>
    public LogShipper(ServerClient server, ILogger logger, long jobId, string lease, Action onLeaseLost, CancellationToken reportToken)
    {
        _onLeaseLost = onLeaseLost;
        _server = server;
        _logger = logger;
        _jobId = jobId;
        _lease = lease;
        _sender = Task.Run(() => SendAllAsync(reportToken), CancellationToken.None);
        _flusher = Task.Run(() => FlushPeriodicallyAsync(_stop.Token), CancellationToken.None);
    }

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

        _stop.Dispose();
        _gate.Dispose();
    }

    /// <summary>Moves the open chunk to the send queue. Caller holds the gate, so chunks queue in order.</summary>
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
        await _sealed.Writer.WriteAsync(chunk, cancellationToken);
    }

    private async Task FlushPeriodicallyAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(FlushInterval, stop);
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
            await foreach (var chunk in _sealed.Reader.ReadAllAsync(reportToken))
            {
                await _server.AppendLogAsync(_jobId, chunk, reportToken);
                _logger.LogTrace("Job {JobId}: log chunk {Sequence} stored ({Lines} lines)", _jobId, chunk.Sequence, chunk.LineCount);
            }
        }
        catch (Exception e)
        {
            // Writers must not wait forever on a queue nobody drains.
            _sealed.Writer.TryComplete(e);
            if (e is LeaseLostException)
            {
                _onLeaseLost();
            }

            throw;
        }
    }
}
