using System.Globalization;
using System.Text;

namespace Kiln.Contracts.AgentProtocol;

/// <summary>How a log chunk travels: <c>POST /api/v1/agent/jobs/{jobId}/log?sequence=N&amp;lines=L</c> with the
/// lines as a <c>text/plain; charset=utf-8</c> body (no JSON escaping of megabytes of text), the lease in
/// <see cref="LeaseHeader"/> and the line times in <see cref="TimesHeader"/> as <c>line:unixMs</c> pairs
/// separated by ';'. Sequences run 0, 1, 2, … without gaps; resending one already stored answers 200 and
/// changes nothing; one that skips ahead answers 409.</summary>
public static class LogChunkWire
{
    public const string LeaseHeader = "X-Kiln-Lease";
    public const string TimesHeader = "X-Kiln-Line-Times";

    public static string FormatTimes(IReadOnlyList<LineTime> times)
    {
        var sb = new StringBuilder(times.Count * 20);
        foreach (var t in times)
        {
            if (sb.Length > 0)
            {
                sb.Append(';');
            }

            sb.Append(t.Line.ToString(CultureInfo.InvariantCulture)).Append(':').Append(t.UnixMs.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>Parses the times header; false if it is malformed or its lines are not increasing.</summary>
    public static bool TryParseTimes(string text, out List<LineTime> times)
    {
        times = [];
        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !int.TryParse(pair.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var line)
                || !long.TryParse(pair.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                || (times.Count > 0 && line <= times[^1].Line))
            {
                return false;
            }

            times.Add(new LineTime(line, ms));
        }

        return true;
    }
}
