using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>The lease loop: one long poll per free slot; each leased job runs to its end before
/// that slot asks again. Connection failures back off and retry until the agent stops.</summary>
public sealed class AgentWorker(ServerClient server, JobRunner runner, AgentOptions options, ILogger<AgentWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Slots)).Select(slot => RunSlotAsync(slot, stoppingToken)));

    private async Task RunSlotAsync(int slot, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lease = await server.LeaseAsync(options.LeaseWaitSeconds, stoppingToken);
                backoff = TimeSpan.FromMilliseconds(200);
                if (lease is not null)
                {
                    await runner.RunAsync(lease, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Agent {Agent} slot {Slot}: cannot lease work from {Server} ({Error}); retrying in {Delay} ms",
                    options.Name, slot, server.BaseAddress, e.Message, (int)backoff.TotalMilliseconds);
                await Task.Delay(backoff, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }
}
