namespace Kiln.Data.Queue;

/// <summary>Queue policy values stored on job rows: the priority class of a build's event and the
/// project scope of a concurrency group.</summary>
public static class QueuePriority
{
    /// <summary>Builds a person asked for (<c>manual</c>, <c>api</c>) go first.</summary>
    public const int Manual = 0;

    /// <summary>Forge events: <c>push</c>, <c>pull_request</c>, <c>tag</c> (and anything unknown).</summary>
    public const int Push = 1;

    /// <summary>Scheduled builds go last.</summary>
    public const int Schedule = 2;

    public static int For(string triggerEvent) => triggerEvent switch
    {
        "manual" or "api" => Manual,
        "schedule" => Schedule,
        _ => Push,
    };

    /// <summary>The stored form of a job's <c>concurrency.group</c>: groups are per project, so two
    /// projects' <c>deploy</c> groups never block each other.</summary>
    public static string ScopeGroup(long projectId, string group) => $"{projectId}:{group}";

    /// <summary>The group name as the pipeline wrote it, from its stored form.</summary>
    public static string GroupName(string scoped) => scoped[(scoped.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
