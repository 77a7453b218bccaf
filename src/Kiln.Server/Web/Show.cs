using System.Globalization;

namespace Kiln.Server.Web;

/// <summary>How the pages write times, durations and commits.</summary>
public static class Show
{
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var span = now - at;
        return span.TotalSeconds < 5 ? "just now"
            : span.TotalMinutes < 1 ? $"{(int)span.TotalSeconds} s ago"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min ago"
            : span.TotalDays < 1 ? $"{(int)span.TotalHours} h ago"
            : $"{(int)span.TotalDays} d ago";
    }

    /// <summary>The exact time, for the <c>title</c> (hover) of a relative one.</summary>
    public static string Exact(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public static string Duration(DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now)
    {
        if (start is not { } from)
        {
            return "";
        }

        var span = (end ?? now) - from;
        return span.TotalSeconds < 60 ? span.TotalSeconds.ToString("0.0 's'", CultureInfo.InvariantCulture)
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s"
            : $"{(int)span.TotalHours}h{span.Minutes:00}m";
    }

    public static string Commit(string? sha) => sha is { Length: > 12 } ? sha[..12] : sha ?? "";

    public static string BuildUrl(string project, int number) => $"/projects/{Uri.EscapeDataString(project)}/builds/{number}";

    public static string JobUrl(string project, int number, string job) => $"{BuildUrl(project, number)}/jobs/{Uri.EscapeDataString(job)}";

    public static string ProjectUrl(string project) => $"/projects/{Uri.EscapeDataString(project)}";
}
