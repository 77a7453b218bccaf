namespace Kiln.Execution;

/// <summary>
/// Receives a step's output lines. An executor calls it from one task at a time, in output
/// order, and never concurrently. A synchronous sink should return a completed
/// <see cref="ValueTask"/>, which keeps the hot path free of allocations.
/// </summary>
public interface ILogSink
{
    /// <summary>Writes one line. An exception thrown here is an infrastructure failure.</summary>
    ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken);
}
