using System.Globalization;

/// <summary>The CPU time used so far by the PostgreSQL processes on this machine (Linux, from
/// <c>/proc</c>), so that a bench can say how much of each operation's cost is the database's and how
/// much its own; null where there are none to read (another OS, or a server elsewhere). Processes that
/// ended between two readings are missed, so a difference is a lower bound (backends live as long as
/// the pool's connections, which outlive a round).</summary>
internal static class LocalPostgresCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux architecture .NET runs on

    public static TimeSpan? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        double ticks = 0;
        var found = false;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres")
                {
                    continue;
                }

                // Fields after the parenthesised name: state is field 3; utime and stime are fields 14 and 15.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                found = true;
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found ? TimeSpan.FromSeconds(ticks / TicksPerSecond) : null;
    }
}
