using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Kiln.Agent;

/// <summary>What an agent tells the server about the machine it runs on.</summary>
public static class AgentHost
{
    /// <summary>linux, macos, windows or freebsd.</summary>
    public static string Os =>
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsFreeBSD() ? "freebsd" : "unknown";

    /// <summary>x64, arm64, …, as .NET names the process architecture.</summary>
    public static string Arch => RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>Every agent carries its OS and architecture as labels, so <c>runs-on: [linux]</c> works without setup.</summary>
    public static IReadOnlyList<string> ImplicitLabels => [Os, Arch];

    /// <summary>"linux-x64", say, with the kernel release when known.</summary>
    public static string OsDescription => $"{Os}-{Arch} ({RuntimeInformation.OSDescription})";

    public static string Version =>
        typeof(AgentHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Free bytes for an unprivileged user on the file system of <paramref name="path"/>; null if unknown.</summary>
    public static long? FreeDiskBytes(string path)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average from <c>/proc/loadavg</c>; null where there is none.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            var first = text.Split(' ', 2)[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
