using Kiln.Core.Triggers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kiln.Core.Pipelines;

// Parse + plan of a 1,000-job pipeline (issue 3's target: under 50 ms on the 2-core reference
// machine). The 10×10×10 matrix is over the language's own limit of 256 combinations per
// matrix, so the same 1,000 matrix jobs come from four 10×5×5 matrices, plus jobs that need them.
// Prints the median and p95 of warm runs.
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
var yaml = BigPipeline();
var context = new PlanContext { Event = TriggerEvent.Manual, Branch = "main" };

for (var i = 0; i < 5; i++)
{
    Run(yaml, context);
}

var samples = new List<double>(iterations);
var jobs = 0;
for (var i = 0; i < iterations; i++)
{
    var clock = Stopwatch.StartNew();
    jobs = Run(yaml, context);
    samples.Add(clock.Elapsed.TotalMilliseconds);
}

samples.Sort();
var median = samples[samples.Count / 2];
var p95 = samples[(int)Math.Ceiling(samples.Count * 0.95) - 1];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"parse+plan of {jobs} jobs ({Encoding.UTF8.GetByteCount(yaml)} bytes of YAML), {iterations} warm runs: median {median:0.0} ms, p95 {p95:0.0} ms, max {samples[^1]:0.0} ms"));
Console.WriteLine(median < 50 ? "target (< 50 ms): MET" : "target (< 50 ms): MISSED");
Console.WriteLine("hostile files (each must fail within 1 s and 100 MB):");
var hostileMet = HostileFiles.Run();
return median < 50 && hostileMet ? 0 : 1;

static int Run(string yaml, PlanContext context)
{
    var parsed = PipelineParser.Parse(yaml);
    if (!parsed.Success)
    {
        throw new InvalidOperationException(string.Join('\n', parsed.Errors));
    }

    return PipelinePlanner.Plan(parsed.Pipeline!, context).Count;
}

static string BigPipeline()
{
    var sb = new StringBuilder();
    sb.AppendLine("env: { CONFIGURATION: Release }");
    sb.AppendLine("jobs:");
    foreach (var suite in new[] { "unit", "integration", "ui", "perf" })
    {
        sb.AppendLine($"  {suite}:");
        sb.AppendLine("    matrix: { a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], b: [0, 1, 2, 3, 4], c: [0, 1, 2, 3, 4] }");
        sb.AppendLine("    timeout: 20m");
        sb.AppendLine("    steps:");
        sb.AppendLine("      - name: test shard ${KILN_MATRIX_A}${KILN_MATRIX_B}${KILN_MATRIX_C}");
        sb.AppendLine($"        run: ./test.sh {suite} --shard $KILN_MATRIX_A$KILN_MATRIX_B$KILN_MATRIX_C");
    }

    sb.AppendLine("  report:");
    sb.AppendLine("    needs: [unit, integration, ui, perf]");
    sb.AppendLine("    steps: [ \"./report.sh\" ]");
    sb.AppendLine("  publish:");
    sb.AppendLine("    needs: [report, unit]");
    sb.AppendLine("    steps: [ \"./publish.sh\" ]");
    return sb.ToString();
}
