namespace Kiln.Execution;

/// <summary>Size limits that apply to every step's output.</summary>
public static class LogLimits
{
    /// <summary>
    /// Longest line, in bytes of output, that is kept in one piece. Longer lines are split into
    /// pieces ending with <see cref="SplitMarker"/>; the marker counts toward the limit.
    /// </summary>
    public const int MaxLineBytes = 1024 * 1024;

    /// <summary>Ends every piece of a split line but the last.</summary>
    public const string SplitMarker = " [kiln: line split, continues]";
}
