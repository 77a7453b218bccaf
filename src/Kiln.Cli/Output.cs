using System.Globalization;
using Spectre.Console;

namespace Kiln.Cli;

/// <summary>Formatting shared by the human-readable commands.</summary>
public static class Output
{
    public static string Duration(DateTimeOffset? start, DateTimeOffset? end, TimeProvider time)
    {
        if (start is not { } s)
        {
            return "";
        }

        var d = (end ?? time.GetUtcNow()) - s;
        return d.TotalHours >= 1 ? $"{(int)d.TotalHours}h{d.Minutes:00}m"
            : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}m{d.Seconds:00}s"
            : d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
    }

    /// <summary>A status word coloured the way CI users expect.</summary>
    public static string Status(string status) => status switch
    {
        "succeeded" => "[green]succeeded[/]",
        "failed" or "error" or "timed_out" or "lost" => $"[red]{status}[/]",
        "canceled" or "skipped" => $"[grey]{status}[/]",
        "running" => "[blue]running[/]",
        _ => $"[yellow]{Markup.Escape(status)}[/]",
    };

    public static string Time(DateTimeOffset? t) => t?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
}
