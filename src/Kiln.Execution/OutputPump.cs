namespace Kiln.Execution;

/// <summary>
/// Reads a step's output pipe in large chunks, decodes it into lines and writes them to the
/// sink in order. Never throws: a sink failure is recorded in <see cref="Failure"/> and
/// signalled through <see cref="SinkFailed"/> so the executor can kill the step.
/// </summary>
internal sealed class OutputPump(TimeProvider timeProvider, ILogSink sink, CancellationToken sinkToken) : IDisposable
{
    private const int ReadBufferBytes = 64 * 1024;

    private readonly CancellationTokenSource _sinkFailed = new();

    /// <summary>Canceled when the sink threw.</summary>
    public CancellationToken SinkFailed => _sinkFailed.Token;

    /// <summary>What the sink threw, if it did.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>True if reading stopped on <c>readToken</c> before end-of-file.</summary>
    public bool StoppedBeforeEnd { get; private set; }

    /// <summary>Pumps until end-of-file, <paramref name="readToken"/> (then the partial line is still emitted), or a sink failure.</summary>
    public async Task RunAsync(Stream output, CancellationToken readToken)
    {
        var decoder = new LogLineDecoder();
        var lines = new List<string>();
        var buffer = new byte[ReadBufferBytes];
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await output.ReadAsync(buffer, readToken);
                }
                catch (OperationCanceledException) when (readToken.IsCancellationRequested)
                {
                    StoppedBeforeEnd = true;
                    break;
                }
                catch (IOException)
                {
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                DateTimeOffset now = timeProvider.GetUtcNow();
                decoder.Decode(buffer.AsSpan(0, read), lines);
                await WriteAsync(lines, now);
            }

            decoder.Flush(lines);
            await WriteAsync(lines, timeProvider.GetUtcNow());
        }
        catch (OperationCanceledException) when (sinkToken.IsCancellationRequested)
        {
            // A canceled step whose sink did not finish within the drain period: abandon the rest.
        }
        catch (Exception ex)
        {
            Failure = ex;
            await _sinkFailed.CancelAsync();
        }
    }

    private async ValueTask WriteAsync(List<string> lines, DateTimeOffset timestamp)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            await sink.WriteAsync(new LogLine(timestamp, lines[i]), sinkToken);
        }

        lines.Clear();
    }

    public void Dispose() => _sinkFailed.Dispose();
}
