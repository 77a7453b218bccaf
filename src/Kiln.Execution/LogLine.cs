namespace Kiln.Execution;

/// <summary>One line of a step's output.</summary>
/// <param name="Timestamp">When the line was read (lines of one read share a timestamp).</param>
/// <param name="Text">The line without its terminator; never contains '\n'.</param>
public readonly record struct LogLine(DateTimeOffset Timestamp, string Text);
