using Kiln.Execution;

namespace Kiln.Execution.Tests;

/// <summary>Keeps every line; synchronous.</summary>
internal sealed class CollectingSink : ILogSink
{
    public List<LogLine> Lines { get; } = [];

    public List<string> Texts => Lines.ConvertAll(line => line.Text);

    public ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken)
    {
        Lines.Add(line);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Throws on every write.</summary>
internal sealed class FailingSink : ILogSink
{
    public ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("log store is down");
}
