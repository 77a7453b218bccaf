using System.Globalization;
using System.Text;

namespace Kiln.Execution;

/// <summary>Short human durations for log lines: "300ms", "1.5s", "5s", "20m", "1h30m".</summary>
internal static class DurationFormat
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return $"{(long)duration.TotalMilliseconds}ms";
        }

        if (duration < TimeSpan.FromMinutes(1))
        {
            return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        }

        var text = new StringBuilder();
        if (duration >= TimeSpan.FromHours(1))
        {
            text.Append((long)duration.TotalHours).Append('h');
        }

        if (duration.Minutes > 0)
        {
            text.Append(duration.Minutes).Append('m');
        }

        if (duration.Seconds > 0)
        {
            text.Append(duration.Seconds).Append('s');
        }

        return text.ToString();
    }
}
