using Kiln.Core.Builds;

namespace Kiln.Data.Entities;

public sealed class StepEntity
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public int Index { get; set; }
    public required string Name { get; set; }
    public required string Run { get; set; }
    public string EnvJson { get; set; } = "{}";
    public int? TimeoutSeconds { get; set; }
    /// <summary><c>success</c>, <c>failure</c> or <c>always</c>: when the step runs.</summary>
    public string Condition { get; set; } = "success";
    public bool ContinueOnError { get; set; }
    public string? WorkingDirectory { get; set; }
    public string? Shell { get; set; }
    public StepStatus Status { get; set; }
    public int? ExitCode { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
