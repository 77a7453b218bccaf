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
