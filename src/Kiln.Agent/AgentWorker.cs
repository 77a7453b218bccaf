using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>The lease loop: one long poll per free slot; each leased job runs to its end before
/// that slot asks again. Connection failures back off and retry until the agent stops.</summary>
public sealed class AgentWorker(ServerClient server, JobRunner runner, AgentOptions options, TimeProvider time, ILogger<AgentWorker> logger) : BackgroundService
{
    /// <summary>A 204 quicker than this means the server had nothing to wait for (the agent is paused): pause a little.</summary>
    private static readonly TimeSpan QuickAnswer = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await HelloAsync(stoppingToken);
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Slots)).Select(slot => RunSlotAsync(slot, stoppingToken)));
    }

    /// <summary>Tells the server this agent's labels and slots before leasing, retrying while the server is
    /// unreachable. A server that refuses (or does not know the call) is left to the lease loop to report.</summary>
    private async Task HelloAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var hello = await server.HelloAsync(options, stoppingToken);
                logger.LogInformation("Agent {Agent} (id {AgentId}) ready with labels {Labels} and {Slots} slot(s){Paused}",
                    hello.Name, hello.AgentId, string.Join(",", hello.Labels), options.Slots, hello.Paused ? "; it is paused" : "");
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException e) when (e.StatusCode is { } status && (int)status < 500)
            {
                logger.LogWarning("Agent {Agent}: the server did not take its hello ({Error})", options.Name, e.Message);
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Agent {Agent}: cannot reach {Server} ({Error}); retrying in {Delay} ms", options.Name, server.BaseAddress, e.Message, (int)backoff.TotalMilliseconds);
                await PauseAsync(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task RunSlotAsync(int slot, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var asked = time.GetTimestamp();
                var lease = await server.LeaseAsync(options.LeaseWaitSeconds, stoppingToken);
                backoff = TimeSpan.FromMilliseconds(200);
                if (lease is not null)
                {
                    await runner.RunAsync(lease, stoppingToken);
                }
                else if (options.LeaseWaitSeconds > 1 && time.GetElapsedTime(asked) < QuickAnswer)
                {
                    await PauseAsync(TimeSpan.FromSeconds(2), stoppingToken);
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
                await PauseAsync(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>Waits on the injected clock; a stop ends the pause quietly, and the loop then sees it.</summary>
    private Task PauseAsync(TimeSpan delay, CancellationToken stoppingToken) =>
        Task.Delay(delay, time, stoppingToken).ContinueWith(static _ => { }, TaskScheduler.Default);
}
