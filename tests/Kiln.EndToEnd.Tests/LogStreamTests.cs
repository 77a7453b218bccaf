using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>The SSE log stream: replay of a finished job, an <c>end</c> event, and resume after <c>Last-Event-ID</c>.</summary>
public sealed class LogStreamTests
{
    private const string App = RepoScenario.Project;
    private const string Job = "talk";
    private const int LineCount = 40;
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stream_of_a_finished_job_replays_every_line_then_ends_and_resumes_after_last_event_id()
    {
        await using var s = await RepoScenario.StartAsync(TalkativePipeline());
        Assert.Equal("succeeded", (await s.Api.TriggerBuildAsync(App, wait: true)).Status);
        var stream = KilnApi.Relative($"api/v1/projects/{App}/builds/1/jobs/{Job}/log/stream");
        var expected = Enumerable.Range(1, LineCount).Select(i => $"line-{i}").ToList();

        var (mediaType, events) = await ServerSentEvents.ReadUntilEndAsync(s.Api.Http, stream, null, StreamTimeout);

        Assert.Equal("text/event-stream", mediaType);
        Assert.NotEmpty(events);
        Assert.Equal("end", events[^1].Event);
        var logEvents = events.Where(e => e.Event == "log").ToList();
        Assert.NotEmpty(logEvents);
        Assert.Equal(expected, OurLines(logEvents.SelectMany(e => e.Data)));
        var offsets = logEvents.Select(e => long.Parse(e.Id ?? throw new Xunit.Sdk.XunitException("a log event has no id"))).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(offsets.Count, offsets.Distinct().Count());

        var middle = (logEvents.Count - 1) / 2;
        var after = logEvents.Skip(middle + 1).SelectMany(e => e.Data).ToList();

        var (_, resumed) = await ServerSentEvents.ReadUntilEndAsync(s.Api.Http, stream, logEvents[middle].Id, StreamTimeout);
        Assert.NotEmpty(resumed);
        Assert.Equal("end", resumed[^1].Event);
        Assert.Equal(after, resumed.Where(e => e.Event == "log").SelectMany(e => e.Data));

        var fromOffset = await s.Api.GetLogAsync(App, 1, Job, offsets[middle]);
        Assert.Equal(after, KilnApi.SplitLines(fromOffset.TrimStart('\n')));
    }

    private static List<string> OurLines(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("line-", StringComparison.Ordinal)).ToList();

    /// <summary>Forty lines in four bursts, so the log is stored in more than one chunk.</summary>
    private static string TalkativePipeline() => $$"""
        jobs:
          {{Job}}:
            steps:
              - name: talk
                run: |
                  for i in $(seq 1 {{LineCount}}); do
                    echo "line-$i"
                    if [ $((i % 10)) -eq 0 ]; then sleep 0.3; fi
                  done
        """;
}
