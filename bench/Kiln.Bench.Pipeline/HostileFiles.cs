using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kiln.Core.Pipelines;

/// <summary>Issue 3: hostile pipeline files must fail fast with a clear message, each within 1 s
/// and 100 MB. Measures the wall time and the bytes allocated for decoding plus parsing each.</summary>
internal static class HostileFiles
{
    public static bool Run()
    {
        var ok = true;
        foreach (var (name, bytes) in Cases())
        {
            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var errors = PipelineText.TryDecode(bytes, ".kiln.yml", out var text, out var error)
                ? PipelineParser.Parse(text).Errors
                : [error!];
            var elapsed = clock.Elapsed;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var met = elapsed < TimeSpan.FromSeconds(1) && allocated < 100L * 1024 * 1024 && errors.Count > 0;
            ok &= met;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-28} {elapsed.TotalMilliseconds,8:0.0} ms {allocated / 1024.0 / 1024.0,8:0.0} MB  {(met ? "MET" : "MISSED")}  {(errors.Count > 0 ? errors[0].ToString() : "no error!")}"));
        }

        return ok;
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Cases()
    {
        var bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 10; i++)
        {
            bomb.Append(CultureInfo.InvariantCulture, $"a{i}: &a{i} [").AppendJoin(", ", Enumerable.Repeat($"*a{i - 1}", 10)).Append("]\n");
        }

        yield return ("alias bomb (10^10 nodes)", Encoding.UTF8.GetBytes(bomb.Append("jobs: { a: { steps: [x] } }\n").ToString()));
        yield return ("nesting 10,000 deep", Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)));
        yield return ("10 MB file", Encoding.UTF8.GetBytes("jobs:\n  a:\n    steps: [\"" + new string('x', 10 * 1024 * 1024) + "\"]\n"));
        yield return ("1 MiB file of 40,000 jobs", Encoding.UTF8.GetBytes(ManyJobs()));
        yield return ("duplicate keys", Encoding.UTF8.GetBytes("jobs:\n  a: { steps: [x] }\n  a: { steps: [y] }\n"));
        yield return ("invalid UTF-8", [.. "jobs:\n  a: { steps: [\""u8, 0xC3, 0x28, .. "\"] }\n"u8]);
    }

    private static string ManyJobs()
    {
        var sb = new StringBuilder("jobs:\n");
        for (var i = 0; sb.Length < PipelineText.MaxBytes - 64; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  j{i}: {{ steps: [x] }}\n");
        }

        return sb.ToString();
    }
}
