using System.Globalization;
using System.Text;
using Kiln.Execution;

namespace Kiln.Execution.Tests;

/// <summary>Process checks for tests; zombies count as dead.</summary>
internal static class ProcFs
{
    public static bool IsAlive(int pid)
    {
        ProcStat? stat = ReadStat(pid);
        return stat is { } s && s.State != 'Z' && s.State != 'X';
    }

    public static ProcStat? ReadStat(int pid)
    {
        try
        {
            return ProcStat.TryParse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static List<int> LiveMembersOfGroup(int processGroup) =>
        AllPids().Where(pid => ReadStat(pid) is { State: not 'Z' and not 'X' } s && s.ProcessGroupId == processGroup).ToList();

    /// <summary>The group's members still alive after a SIGKILL the group was sent: a killed process dies
    /// when it next runs, which on a busy machine may be some milliseconds later, so this waits up to two
    /// seconds for them to go.</summary>
    public static async Task<List<int>> MembersOfKilledGroupAsync(int processGroup)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        List<int> live;
        while ((live = LiveMembersOfGroup(processGroup)).Count > 0 && waited.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(10);
        }

        return live;
    }

    public static List<int> LiveWithCookie(string cookie)
    {
        byte[] entry = Encoding.UTF8.GetBytes($"KILN_JOB_COOKIE={cookie}");
        return AllPids().Where(pid => IsAlive(pid) && ProcessTreeSweeper.HasEntry(ReadEnviron(pid), entry)).ToList();
    }

    private static byte[] ReadEnviron(int pid)
    {
        try
        {
            return File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : 0)
            .Where(pid => pid > 0);
}
