using System.Globalization;

namespace Kiln.Execution;

/// <summary>The fields of <c>/proc/PID/stat</c> that Kiln needs.</summary>
/// <param name="State">R, S, D, Z (zombie), T, …</param>
/// <param name="ParentId">The parent's pid.</param>
/// <param name="ProcessGroupId">The process group.</param>
/// <param name="SessionId">The session.</param>
internal readonly record struct ProcStat(char State, int ParentId, int ProcessGroupId, int SessionId)
{
    /// <summary>Reads a process's stat line; null if the process is gone. Synchronous: a /proc file is
    /// made by the kernel in memory on read, never waits on a disk, and is far cheaper to read in
    /// place than through an asynchronous file handle.</summary>
    public static ProcStat? TryRead(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return TryParse(text);
    }

    /// <summary>Parses "pid (comm) S ppid pgrp session …"; comm may contain spaces and parentheses.</summary>
    public static ProcStat? TryParse(string text)
    {
        int close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        string[] fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4 || fields[0].Length != 1
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int parent)
            || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int group)
            || !int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out int session))
        {
            return null;
        }

        return new ProcStat(fields[0][0], parent, group, session);
    }
}
