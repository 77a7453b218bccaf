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
    /// <summary>Who triggered it: the user or token for manual and API builds, the forge-verified sender
    /// for a webhook, <c>schedule</c> or <c>poll</c> for those.</summary>
    public required string TriggeredBy { get; set; }
    /// <summary>The forge whose webhook made the build; null for other triggers.</summary>
    public Forge? Forge { get; set; }
    /// <summary>The forge's delivery id of the webhook that made the build.</summary>
    public string? DeliveryId { get; set; }
    /// <summary>The pull (merge) request's number, for <c>pull_request</c> builds.</summary>
    public int? PullRequest { get; set; }
    /// <summary>The branch a pull request would merge into.</summary>
    public string? BaseBranch { get; set; }
    /// <summary>Why the build was made <c>skipped</c>.</summary>
    public string? SkipReason { get; set; }
    /// <summary>A pull request whose head is in a fork: its code is not the project's own, so its jobs get no secrets.</summary>
    public bool FromFork { get; set; }
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
