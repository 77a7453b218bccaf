using Kiln.Contracts.AgentProtocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kiln.Agent.Tests;

/// <summary>The lease loop as <see cref="AgentServices.AddKilnAgent"/> composes it, against the fake server.</summary>
public sealed class AgentWorkerTests
{
    [Fact]
    public async Task The_worker_leases_a_queued_job_runs_it_and_keeps_polling_with_its_bearer_token()
    {
        await using var h = await RunnerHarness.StartAsync();
        var lease = h.Lease([RunnerHarness.Step(0, "echo from-the-worker")]);
        h.Server.Queued.Enqueue(lease);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddKilnAgent(new AgentOptions { ServerUrl = h.Server.Url, Token = FakeAgentServer.Token, Name = "worker-test", WorkDir = h.WorkDir, LeaseWaitSeconds = 1 });
        await using var provider = services.BuildServiceProvider();
        var worker = provider.GetServices<IHostedService>().OfType<AgentWorker>().Single();

        await worker.StartAsync(CancellationToken.None);
        var (jobId, complete) = await h.Server.Completed.Task.WaitAsync(RunnerHarness.Patience);
        await FakeAgentServer.WaitUntilAsync(() => h.Server.LeaseCalls >= 2, RunnerHarness.Patience, "the worker to ask for more work");
        await worker.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(lease.JobId, jobId);
        Assert.Equal("succeeded", complete.Status);
        Assert.Contains("from-the-worker", h.LogLines(lease));
        Assert.Empty(h.Server.UnauthorizedRequests);
        Assert.False(Directory.Exists(h.WorkspaceOf(lease)));
    }

    [Fact]
    public async Task A_worker_with_a_wrong_token_retries_after_200_then_400_ms_of_its_clock_and_stops_cleanly()
    {
        await using var h = await RunnerHarness.StartAsync();
        h.Server.Queued.Enqueue(h.Lease([RunnerHarness.Step(0, "echo never")]));
        var clock = new CountingClock();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddKilnAgent(new AgentOptions { ServerUrl = h.Server.Url, Token = "wrong", Name = "worker-test", WorkDir = h.WorkDir, LeaseWaitSeconds = 1 });
        services.AddSingleton<TimeProvider>(clock);
        await using var provider = services.BuildServiceProvider();
        var worker = provider.GetServices<IHostedService>().OfType<AgentWorker>().Single();

        await worker.StartAsync(CancellationToken.None);
        // The hello is refused once and not retried; each refused lease waits twice as long as the one before.
        foreach (var (backoff, refused) in new[] { (200, 2), (400, 3) })
        {
            await clock.WaitForTimersAsync(refused - 1);
            clock.Advance(TimeSpan.FromMilliseconds(backoff - 1));
            await Task.Delay(50);
            Assert.Equal(refused, h.Server.UnauthorizedRequests.Count);

            clock.Advance(TimeSpan.FromMilliseconds(1));
            await FakeAgentServer.WaitUntilAsync(() => h.Server.UnauthorizedRequests.Count == refused + 1, RunnerHarness.Patience, "a retry after the 401");
        }

        await worker.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, h.Server.LeaseCalls);
        Assert.Single(h.Server.Queued);
        Assert.False(h.Server.Completed.Task.IsCompleted);
    }
}
