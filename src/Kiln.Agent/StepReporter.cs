using System.Threading.Channels;
using Kiln.Contracts.AgentProtocol;

namespace Kiln.Agent;

/// <summary>Sends a job's step reports (running, then its outcome, or skipped) in the background, so a
/// step starts and the next one follows without waiting for a round trip to the server.
/// <para>One sender posts them one at a time, in the order <see cref="Report"/> was called, each
/// retried until it gets through (<see cref="ServerClient.ReportStepAsync"/>), so the server sees a
/// step running before it sees it end, and step N before step N+1. Each report carries the time it
/// was made, not the time it arrived. <see cref="CompleteAsync"/> waits until every report is
/// stored: the job's completion is sent only after that, so the server never sees a job end with
/// steps still running. A 409 (the lease is gone) stops the sender, calls <c>onLeaseLost</c> (which
/// stops the running step) and surfaces from <see cref="CompleteAsync"/> as
/// <see cref="LeaseLostException"/>; so does any report the server refused for good.</para>
/// <para>If the agent dies with reports still queued, they are lost with it; the lease then expires
/// and the server marks the job lost, as for a death anywhere else in the job.</para></summary>
public sealed class StepReporter : IAsyncDisposable
{
    private readonly Channel<(int Index, StepReport Report)> _queue =
        Channel.CreateUnbounded<(int, StepReport)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _abandon;
    private readonly Task _sender;

    /// <param name="onLeaseLost">Called once if the server answers a report with 409.</param>
    /// <param name="reportToken">Stops sending (the lease is lost).</param>
    public StepReporter(ServerClient server, long jobId, Action onLeaseLost, CancellationToken reportToken)
    {
        _abandon = CancellationTokenSource.CreateLinkedTokenSource(reportToken);
        var token = _abandon.Token;
        _sender = Task.Run(() => SendAllAsync(server, jobId, onLeaseLost, token), CancellationToken.None);
    }

    /// <summary>Queues a report; never waits. After the sender stopped, the report is dropped and
    /// <see cref="CompleteAsync"/> tells why.</summary>
    public void Report(int index, StepReport report) => _queue.Writer.TryWrite((index, report));

    /// <summary>Waits until every queued report is stored; throws what stopped the sender.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _sender.WaitAsync(cancellationToken);
    }

    /// <summary>Stops sending what is still queued (the job ended another way) and waits for the sender.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _abandon.CancelAsync();
        try
        {
            await _sender;
        }
        catch (Exception e) when (e is OperationCanceledException or LeaseLostException or HttpRequestException)
        {
            // The job is over for this agent either way; CompleteAsync surfaced the error if anyone asked.
        }

        _abandon.Dispose();
    }

    private async Task SendAllAsync(ServerClient server, long jobId, Action onLeaseLost, CancellationToken token)
    {
        try
        {
            await foreach (var (index, report) in _queue.Reader.ReadAllAsync(token))
            {
                await server.ReportStepAsync(jobId, index, report, token);
            }
        }
        catch (Exception e)
        {
            _queue.Writer.TryComplete(e);
            if (e is LeaseLostException)
            {
                onLeaseLost();
            }

            throw;
        }
    }
}
