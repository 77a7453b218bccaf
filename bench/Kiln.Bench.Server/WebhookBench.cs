using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Kiln.Contracts;
using Kiln.Contracts.Api;

/// <summary>Signed push deliveries to <c>POST /hooks/generic/{project}</c> of a real server with its own agent,
/// on a task-only project (so no clone is timed): how fast a delivery is answered, how soon its build's
/// first step runs after the delivery arrived, and that concurrent deliveries with duplicates among them
/// make exactly one build per distinct delivery.</summary>
internal static class WebhookBench
{
    private const string Secret = "bench-webhook-secret";
    private const string Pipeline = "jobs:\n  b:\n    steps: [\"true\"]\n";

    public static async Task<bool> RunAsync(string kiln, int deliveries)
    {
        var latency = await LatencyAsync(kiln, deliveries);
        var exactlyOnce = await ExactlyOnceAsync(kiln, distinct: 180, duplicates: 20);
        return latency && exactlyOnce;
    }

    /// <summary>Deliveries one after another: answer time, and delivery sent → first step started.</summary>
    private static async Task<bool> LatencyAsync(string kiln, int deliveries)
    {
        await using var server = await StartAsync(kiln, "hooks");
        using var forge = Forge(server);
        var answers = new List<double>(deliveries);
        var starts = new List<double>(deliveries);
        for (var i = 0; i < deliveries + 10; i++)
        {
            var sent = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            using var response = await SendAsync(forge, "hooks", $"d-{i}", Commit(i));
            var answered = clock.Elapsed.TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"Delivery {i} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            var started = await FirstStepStartedAsync(server, "hooks", i + 1);
            if (i >= 10)
            {
                // The first ten warm the JIT and the connection pools.
                answers.Add(answered);
                starts.Add((started - sent).TotalMilliseconds);
            }
        }

        var (answerMedian, answerP99) = Percentiles(answers);
        var (startMedian, startP99) = Percentiles(starts);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"webhook: {deliveries} signed push deliveries one at a time: answered in median {answerMedian:0.0} ms (p99 {answerP99:0.0}), first step running median {startMedian:0.0} ms (p99 {startP99:0.0}) after the delivery was sent (targets: answer median ≤ 10 ms, first step median ≤ 50 ms)"));
        return answerMedian <= 10 && startMedian <= 50;
    }

    /// <summary>All deliveries at once, <paramref name="duplicates"/> of them sent a second time with the same
    /// delivery id: exactly <paramref name="distinct"/> builds.</summary>
    private static async Task<bool> ExactlyOnceAsync(string kiln, int distinct, int duplicates)
    {
        await using var server = await StartAsync(kiln, "burst");
        using var forge = Forge(server);
        var sends = Enumerable.Range(0, distinct).Concat(Enumerable.Range(0, duplicates)).ToList();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(sends.Select(async i =>
        {
            using var response = await SendAsync(forge, "burst", $"burst-{i}", Commit(i));
            statuses.Add(response.StatusCode);
        }));
        var answered = clock.Elapsed;

        // Every delivery is built in the background; wait until the inbox is drained and the builds have settled.
        var count = 0;
        for (var settled = 0; settled < 20; settled = count == Count(await ListAsync(server)) ? settled + 1 : 0)
        {
            count = Count(await ListAsync(server));
            await Task.Delay(100);
        }

        var ok = statuses.Count(s => s is HttpStatusCode.Accepted or HttpStatusCode.OK);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"webhook: {sends.Count} concurrent deliveries ({duplicates} duplicates) answered in {answered.TotalMilliseconds:0} ms ({ok} 2xx): {count} builds (target: exactly {distinct})"));
        return count == distinct && ok == sends.Count;
    }

    private static int Count(IReadOnlyList<BuildResource> builds) => builds.Count;

    private static async Task<IReadOnlyList<BuildResource>> ListAsync(ServerBench server) =>
        (await server.Http.GetFromJsonAsync("api/v1/projects/burst/builds?limit=500", KilnJsonContext.Default.ListBuildResource))!;

    private static async Task<ServerBench> StartAsync(string kiln, string project)
    {
        var dir = Directory.CreateTempSubdirectory("kiln-bench-webhook-").FullName;
        var server = await ServerBench.StartAsync(kiln, new ServerLaunch(Path.Combine(dir, "data"), ServerBench.NewToken(), 1, []), ownedDir: dir);
        using var created = await server.Http.PostAsJsonAsync("api/v1/projects",
            new CreateProjectRequest(project, null, null, Pipeline, WebhookSecret: Secret), KilnJsonContext.Default.CreateProjectRequest);
        created.EnsureSuccessStatusCode();
        return server;
    }

    /// <summary>A client like a forge's: no Kiln token, its own connections.</summary>
    private static HttpClient Forge(ServerBench server) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient forge, string project, string delivery, string commit)
    {
        // Each delivery is its own branch, so no build supersedes another.
        var body = Encoding.UTF8.GetBytes($$"""{"ref": "refs/heads/{{delivery}}", "commit": "{{commit}}", "actor": "bench"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"hooks/generic/{project}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Kiln-Delivery", delivery);
        request.Headers.Add("X-Kiln-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        return await forge.SendAsync(request);
    }

    private static async Task<DateTimeOffset> FirstStepStartedAsync(ServerBench server, string project, int number)
    {
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(30);)
        {
            using var response = await server.Http.GetAsync(new Uri($"api/v1/projects/{project}/builds/{number}", UriKind.Relative));
            if (response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!.Jobs is [{ Steps: [{ StartedAt: { } started }, ..] }, ..])
            {
                return started;
            }

            await Task.Delay(2);
        }

        throw new TimeoutException($"Build {project}#{number}'s first step did not start within 30 s.");
    }

    private static string Commit(int i) => Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)))[..40];

    private static (double Median, double P99) Percentiles(List<double> samples)
    {
        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)Math.Ceiling(samples.Count * 0.99) - 1]);
    }
}
