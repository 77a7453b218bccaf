using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Kiln.Contracts;
using Kiln.Contracts.Api;

/// <summary>How to start <c>kiln server</c>: its data folder, the admin token it bootstraps, its own
/// agent slots (0 for none) and database flags (<c>--db postgres --db-connection …</c>; none for SQLite).</summary>
internal sealed record ServerLaunch(string Data, string Token, int Agents, IReadOnlyList<string> DbArgs);

/// <summary>A real <c>kiln server</c> process (Release build) on a temporary data folder and a free
/// loopback port, driven over its HTTP API.</summary>
internal sealed class ServerBench : IAsyncDisposable
{
    private const string Pipeline = "jobs:\n  b:\n    steps: [\"true\"]\n";
    private readonly Process _process;
    private readonly string? _ownedDir;

    private ServerBench(Process process, ServerLaunch launch, string? ownedDir, HttpClient http)
    {
        _process = process;
        _ownedDir = ownedDir;
        Launch = launch;
        Http = http;
    }

    public ServerLaunch Launch { get; }

    public HttpClient Http { get; }

    /// <summary>CPU time the server process has used so far (user + system, from <c>/proc/PID/stat</c>,
    /// in clock ticks of 10 ms), to tell the server's own cost from waiting on a busy machine.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            // Fields after "PID (comm) ": state is the 1st, utime the 12th, stime the 13th.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
    }

    public static async Task<bool> LatencyAsync(string kiln, int builds) =>
        await MeasureLatencyAsync(kiln, builds, remoteAgent: false);

    /// <summary>The same with the server's own agent off and a separate <c>kiln agent</c> process.</summary>
    public static async Task<bool> RemoteLatencyAsync(string kiln, int builds) =>
        await MeasureLatencyAsync(kiln, builds, remoteAgent: true);

    private static async Task<bool> MeasureLatencyAsync(string kiln, int builds, bool remoteAgent)
    {
        await using var server = await StartAsync(kiln, agents: remoteAgent ? 0 : 1);
        using var agent = remoteAgent ? await server.StartAgentAsync(kiln) : null;
        var samples = new List<double>(builds);
        for (var i = 0; i < builds + 10; i++)
        {
            var before = DateTimeOffset.UtcNow;
            using var response = await server.Http.PostAsJsonAsync("api/v1/projects/bench/builds?wait=true", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);
            var build = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
            if (i >= 10)
            {
                // The first ten warm the JIT and the connection pool.
                samples.Add((build.Jobs[0].Steps[0].StartedAt!.Value - before).TotalMilliseconds);
            }
        }

        samples.Sort();
        var median = samples[samples.Count / 2];
        var p99 = samples[(int)Math.Ceiling(samples.Count * 0.99) - 1];
        var target = remoteAgent ? 100 : 50;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency ({(remoteAgent ? "separate kiln agent" : "own agent")}): trigger → first step running over {builds} builds: median {median:0.0} ms, p99 {p99:0.0} ms, max {samples[^1]:0.0} ms (targets: median ≤ {target} ms{(remoteAgent ? "" : ", p99 ≤ 250 ms")})"));
        return median <= target && (remoteAgent || p99 <= 250);
    }

    public static async Task<bool> ThroughputAsync(string kiln, int builds)
    {
        await using var server = await StartAsync(kiln, agents: 4);
        var clock = Stopwatch.StartNew();
        var next = 0;
        var numbers = new System.Collections.Concurrent.ConcurrentBag<int>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= builds)
            {
                using var response = await server.Http.PostAsJsonAsync("api/v1/projects/bench/builds", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);
                numbers.Add((await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!.Number);
            }
        }));
        var submitted = clock.Elapsed;
        // Builds run oldest first, so watch the newest one through the small project resource; the
        // bench's own polling must not take the 2 cores from the server it measures (listing 200
        // builds and up to 1,000 queued jobs every 50 ms did). Then confirm that all have finished.
        while ((await server.Http.GetFromJsonAsync("api/v1/projects/bench", KilnJsonContext.Default.ProjectResource))!.LastBuild?.FinishedAt is null)
        {
            await Task.Delay(50);
        }

        while (true)
        {
            var latest = (await server.Http.GetFromJsonAsync($"api/v1/projects/bench/builds?limit=200", KilnJsonContext.Default.ListBuildResource))!;
            var queue = (await server.Http.GetFromJsonAsync("api/v1/queue", KilnJsonContext.Default.ListQueuedJobResource))!;
            if (queue.Count == 0 && latest.All(b => b.FinishedAt is not null))
            {
                break;
            }

            await Task.Delay(50);
        }

        var total = clock.Elapsed;
        // The figure counts only if the builds succeeded (the latest 200 are checked).
        var page = (await server.Http.GetFromJsonAsync("api/v1/projects/bench/builds?limit=200", KilnJsonContext.Default.ListBuildResource))!;
        var failed = page.Count(b => b.Status != "succeeded");

        var rate = builds / total.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"throughput (4 slots): {builds} builds submitted in {submitted.TotalSeconds:0.0} s, all finished in {total.TotalSeconds:0.0} s: {rate:0.0} builds/s (target ≥ 30); not succeeded among the latest 200: {failed}"));
        return rate >= 30 && failed == 0 && numbers.Count == builds;
    }

    /// <summary>A server on a temporary folder (deleted at the end) with the project <c>bench</c>.</summary>
    public static async Task<ServerBench> StartAsync(string kiln, int agents)
    {
        var dir = Directory.CreateTempSubdirectory("kiln-bench-server-").FullName;
        var server = await StartAsync(kiln, new ServerLaunch(Path.Combine(dir, "data"), NewToken(), agents, []), ownedDir: dir);
        await server.CreateProjectAsync("bench", Pipeline);
        return server;
    }

    /// <summary>A fresh admin token for <c>KILN_BOOTSTRAP_ADMIN_TOKEN</c>.</summary>
    public static string NewToken() => "kiln_bench_" + Guid.NewGuid().ToString("N");

    /// <summary>Starts <c>kiln server</c> as <paramref name="launch"/> says and waits for <c>/readyz</c>.
    /// Dispose stops it and deletes <paramref name="ownedDir"/> (when given).</summary>
    public static async Task<ServerBench> StartAsync(string kiln, ServerLaunch launch, string? ownedDir = null)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo(kiln) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "server", "--data", launch.Data, "--urls", $"http://127.0.0.1:{port}", "--agents", launch.Agents.ToString(CultureInfo.InvariantCulture) }.Concat(launch.DbArgs))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KILN_BOOTSTRAP_ADMIN_TOKEN"] = launch.Token;
        var process = Process.Start(psi)!;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                errors.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", launch.Token);
        var server = new ServerBench(process, launch, ownedDir, http);
        for (var i = 0; ; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"kiln server exited ({process.ExitCode}): {string.Join('\n', errors)}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (i < 600)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        return server;
    }

    /// <summary>Adds a task-only project with this pipeline.</summary>
    public async Task CreateProjectAsync(string name, string pipeline)
    {
        using var created = await Http.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest(name, null, null, pipeline), KilnJsonContext.Default.CreateProjectRequest);
        created.EnsureSuccessStatusCode();
    }

    /// <summary>Starts a separate <c>kiln agent</c> registered with a fresh registration token; killed on dispose.</summary>
    private async Task<AgentProcess> StartAgentAsync(string kiln)
    {
        using var response = await Http.PostAsJsonAsync("api/v1/tokens", new CreateTokenRequest("bench-agent", "agent-registration", null, null), KilnJsonContext.Default.CreateTokenRequest);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.CreatedTokenResource))!.Token;
        var psi = new ProcessStartInfo(kiln) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "agent", "--server", Http.BaseAddress!.ToString(), "--token", token, "--name", "bench-agent", "--work", Path.Combine(Launch.Data, "remote-agent") })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 300; i++)
        {
            var agents = (await Http.GetFromJsonAsync("api/v1/agents", KilnJsonContext.Default.ListAgentResource))!;
            if (agents.Any(a => a.Name == "bench-agent" && a.Status == "idle"))
            {
                break;
            }

            await Task.Delay(100);
        }

        return new AgentProcess(process);
    }

    private sealed class AgentProcess(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!_process.WaitForExit(30_000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_ownedDir is not null)
        {
            Directory.Delete(_ownedDir, recursive: true);
        }
    }
}
