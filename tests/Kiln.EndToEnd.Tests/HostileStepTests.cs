using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>Steps that misbehave: huge lines, binary output, escaping daemons, ignored SIGTERM.</summary>
public sealed partial class HostileStepTests
{
    private const string App = RepoScenario.Project;
    private const string Job = "hostile";
    private const int MaxLineBytes = 1024 * 1024;
    private const int MarkerAllowance = 256;

    [Fact]
    public async Task Huge_line_is_split_without_losing_bytes()
    {
        await using var s = await RepoScenario.StartAsync(Pipeline("""head -c 3000000 /dev/zero | tr '\0' 'x'"""));

        var build = await s.Api.TriggerBuildAsync(App, wait: true);

        Assert.Equal("succeeded", build.Status);
        var lines = await s.Api.GetLogLinesAsync(App, 1, Job);
        Assert.NotEmpty(lines);
        var longest = lines.Max(l => Encoding.UTF8.GetByteCount(l));
        Assert.True(longest <= MaxLineBytes + MarkerAllowance, $"a stored log line has {longest} bytes");
        Assert.Equal(3_000_000, lines.Sum(l => LongRunOfX().Matches(l).Sum(m => m.Length)));
    }

    [Fact]
    public async Task Flood_past_the_log_cap_keeps_head_and_tail_with_a_banner()
    {
        // 200,000 lines (~1.3 MB) against a 200 kB cap: the head, a banner, then the last lines.
        await using var server = await KilnServerProcess.StartNewAsync(new Dictionary<string, string> { ["KILN_LOG_CAP_BYTES"] = "200000" });
        await server.Api.CreateTaskProjectAsync("flood", "jobs:\n  hostile:\n    steps:\n      - run: seq 200000\n");

        var build = await server.Api.TriggerBuildAsync("flood", wait: true);

        Assert.Equal("succeeded", build.Status);
        var lines = await server.Api.GetLogLinesAsync("flood", 1, Job);
        var bytes = lines.Sum(l => Encoding.UTF8.GetByteCount(l) + 1);
        Assert.InRange(bytes, 150_000, 210_000);
        Assert.Contains("1", lines);
        Assert.Contains("200000", lines);
        Assert.DoesNotContain("100000", lines);
        Assert.Contains(lines, l => l.StartsWith("[kiln] log truncated:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nul_and_invalid_bytes_leave_the_log_valid_utf8()
    {
        await using var s = await RepoScenario.StartAsync(Pipeline("""printf 'start-a\0b\xff-end\n'"""));

        Assert.Equal("succeeded", (await s.Api.TriggerBuildAsync(App, wait: true)).Status);

        var bytes = await s.Api.GetLogBytesAsync(App, 1, Job);
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        Assert.Contains(text.Split('\n'), l => l.StartsWith("start-a", StringComparison.Ordinal) && l.Contains("-end", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daemon_that_escapes_with_setsid_is_killed_when_the_job_ends()
    {
        var sleep = ProcessTable.UniqueSleep(1234);
        await using var s = await RepoScenario.StartAsync(Pipeline($"""
            setsid nohup sleep {sleep} >/dev/null 2>&1 &
            echo spawned
            """));
        try
        {
            var clock = Stopwatch.StartNew();
            var build = await s.Api.TriggerBuildAsync(App, wait: true);

            Assert.Equal("succeeded", build.Status);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the build took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Empty(await ProcessTable.WaitUntilGoneAsync("sleep " + sleep, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            ProcessTable.KillAll("sleep " + sleep);
        }
    }

    [Fact]
    public async Task Step_that_ignores_sigterm_still_times_out()
    {
        var sleep = ProcessTable.UniqueSleep(60);
        await using var s = await RepoScenario.StartAsync(Pipeline($"""
            trap '' TERM
            sleep {sleep}
            """, timeout: "2s"));
        try
        {
            var clock = Stopwatch.StartNew();
            var build = await s.Api.TriggerBuildAsync(App, wait: true);

            Assert.Equal("failed", build.Status);
            var job = Assert.Single(build.Jobs);
            Assert.Equal(("timed_out", "timed_out"), (job.Status, Assert.Single(job.Steps).Status));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"the build took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Empty(await ProcessTable.WaitUntilGoneAsync("sleep " + sleep, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            ProcessTable.KillAll("sleep " + sleep);
        }
    }

    /// <summary>One job, one step running <paramref name="script"/> as a YAML block scalar.</summary>
    private static string Pipeline(string script, string? timeout = null)
    {
        var yaml = new StringBuilder()
            .Append("jobs:\n  ").Append(Job).Append(":\n    steps:\n      - name: hostile\n        run: |\n");
        foreach (var line in script.Split('\n'))
        {
            yaml.Append("          ").Append(line).Append('\n');
        }

        if (timeout is not null)
        {
            yaml.Append("        timeout: ").Append(timeout).Append('\n');
        }

        return yaml.ToString();
    }

    [GeneratedRegex("x{1000,}")]
    private static partial Regex LongRunOfX();
}
