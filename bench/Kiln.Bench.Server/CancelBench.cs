using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

/// <summary>Cancel reaching a running step: on <c>kiln server --agents 1</c>, builds one after another of
/// a project whose one step writes its PID to a file and then <c>exec sleep 600</c>. Once the step is
/// running (the API says so and the PID is <c>sleep</c>), <c>POST …/cancel</c>, and from just before that
/// request until (a) the API shows the build and its job <c>canceled</c> and (b) the step's process is
/// gone (no <c>/proc/PID</c>, or a zombie: dead, not yet reaped).</summary>
internal static class CancelBench
{
    private const string Project = "sleeper";
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(30);

    public static async Task<bool> RunAsync(string kiln, int builds)
    {
        await using var server = await ServerBench.StartAsync(kiln, agents: 1);
        var pids = Path.Combine(Path.GetDirectoryName(server.Launch.Data)!, "pids");
        Directory.CreateDirectory(pids);
        await server.CreateProjectAsync(Project, $"jobs:\n  sleep:\n    steps:\n      - |\n        echo $$ > '{pids}'/$KILN_BUILD_NUMBER\n        exec sleep 600\n");
        var canceled = new List<double>(builds);
        var gone = new List<double>(builds);
        for (var i = 0; i < builds; i++)
        {
            using var created = await server.Http.PostAsJsonAsync($"api/v1/projects/{Project}/builds", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);
            created.EnsureSuccessStatusCode();
            var number = (await created.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!.Number;
            var pid = await WaitForRunningStepAsync(server.Http, number, Path.Combine(pids, number.ToString(CultureInfo.InvariantCulture)));

            var clock = Stopwatch.StartNew();
            var api = WaitForCanceledAsync(server.Http, number, clock);
            var process = WaitForExitAsync(pid, clock);
            using (var cancel = await server.Http.PostAsync(new Uri($"api/v1/projects/{Project}/builds/{number}/cancel", UriKind.Relative), null))
            {
                cancel.EnsureSuccessStatusCode();
            }

            canceled.Add(await api);
            gone.Add(await process);
        }

        // The first cancel runs code the server has not run before (JIT), so it is shown apart too.
        var (firstCanceled, firstGone) = (canceled[0], gone[0]);
        canceled.Sort();
        gone.Sort();
        var worst = Math.Max(canceled[^1], gone[^1]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cancel (own agent): over {builds} builds, cancel request → build and job canceled in the API: median {canceled[canceled.Count / 2]:0} ms, max {canceled[^1]:0} ms (first build {firstCanceled:0} ms); → step process gone: median {gone[gone.Count / 2]:0} ms, max {gone[^1]:0} ms (first build {firstGone:0} ms); target: max < 1000 ms"));
        return worst < 1000;
    }

    /// <summary>Waits until the API shows the step running and its PID file names a live <c>sleep</c>; returns the PID.</summary>
    private static async Task<int> WaitForRunningStepAsync(HttpClient http, int number, string pidFile)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < GiveUp)
        {
            var build = (await http.GetFromJsonAsync($"api/v1/projects/{Project}/builds/{number}", KilnJsonContext.Default.BuildResource))!;
            if (build.Jobs[0].Steps[0].Status == "running"
                && File.Exists(pidFile)
                && int.TryParse(await File.ReadAllTextAsync(pidFile), CultureInfo.InvariantCulture, out var pid)
                && ProcessName(pid) == "sleep")
            {
                return pid;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"the step of {Project}#{number} did not start within {GiveUp.TotalSeconds} s");
    }

    private static async Task<double> WaitForCanceledAsync(HttpClient http, int number, Stopwatch clock)
    {
        while (clock.Elapsed < GiveUp)
        {
            var build = (await http.GetFromJsonAsync($"api/v1/projects/{Project}/builds/{number}", KilnJsonContext.Default.BuildResource))!;
            if (build.Status == "canceled" && build.Jobs[0].Status == "canceled")
            {
                return clock.Elapsed.TotalMilliseconds;
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"{Project}#{number} was not canceled within {GiveUp.TotalSeconds} s");
    }

    private static async Task<double> WaitForExitAsync(int pid, Stopwatch clock)
    {
        while (clock.Elapsed < GiveUp)
        {
            if (ProcessName(pid) is null)
            {
                return clock.Elapsed.TotalMilliseconds;
            }

            await Task.Delay(1);
        }

        throw new TimeoutException($"the step's process {pid} still ran {GiveUp.TotalSeconds} s after the cancel");
    }

    /// <summary>The command name of a live process; null when there is none or it is a zombie.</summary>
    private static string? ProcessName(int pid)
    {
        try
        {
            // "PID (comm) S …": the state follows the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return stat[close + 2] == 'Z' ? null : stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..close];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }
}
