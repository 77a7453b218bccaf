using System.Globalization;

// Issue 4's speed targets, measured end to end (docs in bench/README.md):
//   queue     enqueue + lease + complete through SqlJobQueue, no processes, [N jobs] [workers] [projects] (≥ 2,000 ops/s)
//   latency   trigger → first step running, one-step `true` pipeline, own agent       (median ≤ 50 ms, p99 ≤ 250 ms)
//   done-latency  trigger → build finished, by phase, own agent                          (median ≤ 10 ms, p99 ≤ 50 ms)
//   remote-latency  the same with a separate `kiln agent` process                    (median ≤ 100 ms)
//   throughput 1,000 one-step `true` builds through a real server                      (≥ 30 builds/s)
//   scale     builds list and queue listing with 100,000 finished builds; SQLite, and
//             PostgreSQL when KILN_BENCH_POSTGRES is set                               (p95 < 20 ms each)
//   cancel    cancel request → job canceled and the running step's process gone      (max < 1 s)
//   webhook   signed push delivery answered (median ≤ 10 ms), first step ≤ 50 ms after it; 200
//             concurrent deliveries with 20 duplicates → exactly 180 builds
var mode = args.FirstOrDefault() ?? "all";
var kiln = Environment.GetEnvironmentVariable("KILN_BIN")
    ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Kiln.Cli/bin/Release/net10.0/kiln"));
var results = new List<(string Name, bool Met)>();
if (mode is "all" or "queue")
{
    results.Add(("queue", await QueueBench.RunAsync(Count(args, 2000), Argument(args, 2, 4), Argument(args, 3, 1))));
}

if (mode is "all" or "latency")
{
    results.Add(("latency", await ServerBench.LatencyAsync(kiln, Count(args, 200))));
}

if (mode is "all" or "done-latency")
{
    results.Add(("done-latency", await DoneLatencyBench.RunAsync(kiln, Count(args, 500))));
}

if (mode is "all" or "remote-latency")
{
    results.Add(("remote-latency", await ServerBench.RemoteLatencyAsync(kiln, Count(args, 200))));
}

if (mode is "all" or "throughput")
{
    results.Add(("throughput", await ServerBench.ThroughputAsync(kiln, Count(args, 1000))));
}

if (mode is "all" or "scale")
{
    results.AddRange(await ScaleBench.RunAsync(kiln, Count(args, 100_000)));
}

if (mode is "all" or "cancel")
{
    results.Add(("cancel", await CancelBench.RunAsync(kiln, Count(args, 20))));
}

if (mode is "all" or "webhook")
{
    results.Add(("webhook", await WebhookBench.RunAsync(kiln, Count(args, 200))));
}

foreach (var (name, met) in results)
{
    Console.WriteLine($"{name}: {(met ? "MET" : "MISSED")}");
}

return results.All(r => r.Met) ? 0 : 1;

static int Count(string[] args, int fallback) => Argument(args, 1, fallback);

static int Argument(string[] args, int index, int fallback) =>
    args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
