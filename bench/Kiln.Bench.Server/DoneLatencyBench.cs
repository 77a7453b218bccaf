using System.Globalization;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

/// <summary>Trigger to build finished, split into phases by the timestamps the API reports for the
/// build, its job and its step (definitions in bench/README.md), on <c>kiln server --agents 1</c>.</summary>
internal static class DoneLatencyBench
{
    private const int WarmUp = 10;

    private static readonly string[] Phases =
    [
        "trigger → created",
        "queued → leased",
        "leased → step started",
        "step run",
        "step end → job end",
        "job end → build end",
        "build end → response",
        "created → build end",
        "trigger → response",
    ];

    public static async Task<bool> RunAsync(string kiln, int builds)
    {
        await using var server = await ServerBench.StartAsync(kiln, agents: 1);
        var samples = Phases.ToDictionary(p => p, _ => new List<double>(builds));
        var failed = 0;
        for (var i = 0; i < builds + WarmUp; i++)
        {
            var before = DateTimeOffset.UtcNow;
            using var response = await server.Http.PostAsJsonAsync("api/v1/projects/bench/builds?wait=true", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);
            var build = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
            var after = DateTimeOffset.UtcNow;
            if (i < WarmUp)
            {
                continue;
            }

            if (build.Status != "succeeded")
            {
                failed++;
                continue;
            }

            var job = build.Jobs[0];
            var step = job.Steps[0];
            double[] values =
            [
                Ms(before, build.CreatedAt),
                Ms(job.QueuedAt!.Value, job.StartedAt!.Value),
                Ms(job.StartedAt!.Value, step.StartedAt!.Value),
                Ms(step.StartedAt!.Value, step.FinishedAt!.Value),
                Ms(step.FinishedAt!.Value, job.FinishedAt!.Value),
                Ms(job.FinishedAt!.Value, build.FinishedAt!.Value),
                Ms(build.FinishedAt!.Value, after),
                Ms(build.CreatedAt, build.FinishedAt!.Value),
                Ms(before, after),
            ];
            for (var p = 0; p < Phases.Length; p++)
            {
                samples[Phases[p]].Add(values[p]);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done-latency (own agent): {builds} one-step `true` builds one after another, {failed} not succeeded; load {Load()}"));
        Console.WriteLine($"  {"phase",-24} {"median",8} {"p99",8} {"max",8}   (ms)");
        foreach (var phase in Phases)
        {
            var s = samples[phase];
            s.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phase,-24} {Median(s),8:0.00} {P99(s),8:0.00} {s[^1],8:0.00}"));
        }

        var whole = samples["created → build end"];
        var median = Median(whole);
        var p99 = P99(whole);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done-latency: created → build finished median {median:0.0} ms, p99 {p99:0.0} ms (targets: median ≤ 10 ms, p99 ≤ 50 ms)"));
        return failed == 0 && median <= 10 && p99 <= 50;
    }

    /// <summary>The 1-, 5- and 15-minute load averages from <c>/proc/loadavg</c>.</summary>
    public static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Ms(DateTimeOffset from, DateTimeOffset to) => (to - from).TotalMilliseconds;

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];

    private static double P99(List<double> sorted) => sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
}
