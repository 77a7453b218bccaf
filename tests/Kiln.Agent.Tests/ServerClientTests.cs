using Kiln.Contracts.AgentProtocol;
using Microsoft.AspNetCore.Http;

namespace Kiln.Agent.Tests;

/// <summary>The server client's retries, on a fake clock: no test waits for a backoff to pass.</summary>
public sealed class ServerClientTests
{
    [Fact]
    public async Task A_report_answered_503_is_retried_after_100_then_200_then_400_ms_of_the_agent_clock()
    {
        await using var server = await FakeAgentServer.StartAsync();
        server.LogPolicy = (_, attempt) => Task.FromResult(attempt <= 3 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        var clock = new CountingClock();
        var client = server.CreateClient(time: clock);

        var append = client.AppendLogAsync(42, new LogChunkUpload("lease", 0, "line\n", 1, [new LineTime(0, 0)]), CancellationToken.None);
        foreach (var (backoff, attempts) in new[] { (100, 1), (200, 2), (400, 3) })
        {
            // The client made its backoff timer after the attempt-th refusal.
            await clock.WaitForTimersAsync(attempts);
            clock.Advance(TimeSpan.FromMilliseconds(backoff - 1));
            await Task.Delay(50);
            Assert.Equal(attempts, server.LogAttempts.Count);

            clock.Advance(TimeSpan.FromMilliseconds(1));
            await FakeAgentServer.WaitUntilAsync(() => server.LogAttempts.Count == attempts + 1, RunnerHarness.Patience, $"retry {attempts}");
        }

        var ack = await append.WaitAsync(RunnerHarness.Patience);

        Assert.False(ack.CancelRequested);
        Assert.Equal([503, 503, 503, 200], server.LogAttempts.Select(a => a.Answer));
        Assert.Equal("line\n", server.LogText(42));
    }
}
