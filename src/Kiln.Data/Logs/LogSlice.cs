using System.Globalization;
using System.Text;

namespace Kiln.Data.Logs;

/// <summary>A piece of a job's log: whole lines ending in '\n' (the first may be cut when read from a
/// mid-chunk offset), the byte offsets it spans, and its line timestamps.</summary>
public sealed record LogSlice(long StartOffset, long EndOffset, string Text, string Times)
{
    /// <summary>The text with each line prefixed by its ISO-8601 UTC timestamp and a space.</summary>
    public string WithTimestamps()
    {
        var marks = ParseTimes(Times);
        var sb = new StringBuilder(Text.Length + (Text.Length / 8));
        var line = 0;
        var mark = -1;
        var start = 0;
        while (start < Text.Length)
        {
            while (mark + 1 < marks.Count && marks[mark + 1].Line <= line)
            {
                mark++;
            }

            var end = Text.IndexOf('\n', start);
            end = end < 0 ? Text.Length : end + 1;
            var stamp = mark >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(marks[mark].UnixMs) : DateTimeOffset.UnixEpoch;
            sb.Append(stamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ');
            sb.Append(Text, start, end - start);
            start = end;
            line++;
        }

        return sb.ToString();
    }

    public static string FormatTimes(IEnumerable<(int Line, long UnixMs)> marks) =>
        string.Join(';', marks.Select(m => $"{m.Line}:{m.UnixMs}"));

    public static IReadOnlyList<(int Line, long UnixMs)> ParseTimes(string times)
    {
        var result = new List<(int, long)>();
        foreach (var pair in times.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0
                && int.TryParse(pair.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var line)
                && long.TryParse(pair.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                result.Add((line, ms));
            }
        }

        return result;
    }
}
