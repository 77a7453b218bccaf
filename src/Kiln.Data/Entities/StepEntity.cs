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
    public StepStatus Status { get; set; }
    public int? ExitCode { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}
