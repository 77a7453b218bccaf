namespace Kiln.Data.Entities;

/// <summary>An append-only piece of a job's log, keyed by (job, sequence). <c>Offset</c> is the
/// UTF-8 byte offset of its first byte in the job's whole log.</summary>
public sealed class LogChunkEntity
{
    public long JobId { get; set; }
    public long Sequence { get; set; }
    public long Offset { get; set; }
    public int ByteLength { get; set; }
    public int LineCount { get; set; }
    /// <summary>Whole lines, each ending in '\n'.</summary>
    public required string Text { get; set; }
    /// <summary>Line timestamps as "line:unixMs" pairs separated by ';' (a new pair only when the time changes).</summary>
    public required string Times { get; set; }
}
