using Kiln.Core.Triggers;
using Kiln.Core.Builds;

namespace Kiln.Data.Entities;

public sealed class BuildEntity
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public ProjectEntity? Project { get; set; }
    public int Number { get; set; }
    public BuildStatus Status { get; set; }
    public required TriggerEvent Event { get; set; }
    public string? Ref { get; set; }
    public string? Branch { get; set; }
    public string? Tag { get; set; }
    public string? Commit { get; set; }
    public required string TriggeredBy { get; set; }
    /// <summary>Inputs as a JSON object of strings.</summary>
    public string InputsJson { get; set; } = "{}";
    /// <summary>Why the build ended <c>error</c> (an unreadable pipeline, say); shown with its log.</summary>
    public string? Error { get; set; }
    public bool CancelRequested { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public List<JobEntity> Jobs { get; set; } = [];
}
