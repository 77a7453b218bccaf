using System.Diagnostics;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>
/// Looks for processes by a marker in their command line (from /proc), to prove that steps leave nothing
/// behind. Markers are made unique per test (see <see cref="UniqueSleep"/>) so parallel tests do not see each other.
/// </summary>
public static class ProcessTable
{
    /// <summary>A duration for <c>sleep</c> whose text is unique, e.g. <c>61.48213</c> for 61 seconds.</summary>
    public static string UniqueSleep(int seconds) => $"{seconds}.{Random.Shared.Next(10_000, 100_000)}";

    /// <summary>Live processes (not zombies) whose command line contains <paramref name="marker"/>, as "PID: cmdline".</summary>
    public static IReadOnlyList<string> Find(string marker)
    {
        var self = Environment.ProcessId;
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(directory), out var pid) || pid == self)
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(System.IO.Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.Contains(marker, StringComparison.Ordinal))
            {
                found.Add($"{pid}: {commandLine}");
            }
        }

        return found;
    }

    /// <summary>Waits until some process shows the marker; false if none did within the time.</summary>
    public static async Task<bool> WaitUntilPresentAsync(string marker, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Find(marker).Count == 0)
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>Waits until no process shows the marker; returns those still left after the time (empty when gone).</summary>
    public static async Task<IReadOnlyList<string>> WaitUntilGoneAsync(string marker, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = Find(marker);
            if (left.Count == 0 || clock.Elapsed > timeout)
            {
                return left;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Cleanup after a failed assertion: kills whatever still carries the marker.</summary>
    public static void KillAll(string marker)
    {
        foreach (var entry in Find(marker))
        {
            try
            {
                using var process = Process.GetProcessById(int.Parse(entry[..entry.IndexOf(':', StringComparison.Ordinal)]));
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }
    }
}
