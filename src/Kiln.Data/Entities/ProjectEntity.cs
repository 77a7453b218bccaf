namespace Kiln.Data.Entities;

public sealed class ProjectEntity
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Git URL or local path; null for a task-only project.</summary>
    public string? RepoUrl { get; set; }
    public required string DefaultBranch { get; set; }
    /// <summary>The stored pipeline of a task-only project.</summary>
    public string? PipelineYaml { get; set; }
    /// <summary>The number the next build gets; bumped in the same transaction that inserts it.</summary>
    public int NextBuildNumber { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    /// <summary>When an agent last leased one of the project's jobs (null: never), updated in the
    /// claim's transaction; the queue serves the project that waited longest first (fairness).</summary>
    public DateTime? LastLeasedAt { get; set; }
}
