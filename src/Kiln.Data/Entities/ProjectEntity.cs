using Kiln.Core.Triggers;

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
    /// <summary>Seconds a push build waits before it may start, so that a burst of pushes to a branch
    /// (each superseding the last while it waits) makes one build; 0 for none.</summary>
    public int CooldownSeconds { get; set; }
    /// <summary>At most this many of the project's builds run at once; null for no limit. A build
    /// already running keeps going; a new one waits.</summary>
    public int? MaxRunningBuilds { get; set; }
    /// <summary>The project's share of the agents against other projects with queued work (1 = equal;
    /// <see cref="FairShareEntity"/>).</summary>
    public int Weight { get; set; } = 1;
    /// <summary>The project's fair-share tags; give a new project a new one, so that the row is made with
    /// it (the lease only updates it). Null when read without it.</summary>
    public FairShareEntity? FairShare { get; set; }

    /// <summary>The secret webhooks are signed (or authorized) with; null: webhooks are refused. Never shown.</summary>
    public string? WebhookSecret { get; set; }
    /// <summary>Forge user names whose pushes and pull requests build, one per line; null: anyone's.</summary>
    public string? AllowedActors { get; set; }
    /// <summary>What a pull request from a fork builds.</summary>
    public ForkPolicy ForkPullRequests { get; set; }
    /// <summary>Seconds between <c>git ls-remote</c> polls of the repository; null: no polling.</summary>
    public int? PollIntervalSeconds { get; set; }
    /// <summary>The forge the repository lives on, for commit statuses and hooks; null: told from the URL's host.</summary>
    public Forge? Forge { get; set; }
    /// <summary>The forge's API base URL (e.g. <c>https://git.example.com/api/v1</c>); null: the forge's default for the host.</summary>
    public string? ForgeApiUrl { get; set; }
    /// <summary>The token commit statuses, pull-request comments and hooks are sent with; null: none are sent. Never shown.</summary>
    public string? StatusToken { get; set; }
    /// <summary>One commit status per job instead of one for the pipeline.</summary>
    public bool StatusPerJob { get; set; }
    /// <summary>One pull-request comment per build, edited in place as it progresses.</summary>
    public bool PullRequestComments { get; set; }
}
