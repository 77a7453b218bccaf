namespace Kiln.Data.Queue;

/// <summary>The stored form of a job's <c>concurrency.group</c>: groups are per project, so two
/// projects' <c>deploy</c> groups never block each other.</summary>
public static class ConcurrencyGroups
{
    /// <summary>The stored form of <paramref name="group"/> of project <paramref name="projectId"/>.</summary>
    public static string Scope(long projectId, string group) => $"{projectId}:{group}";

    /// <summary>The group name as the pipeline wrote it, from its stored form.</summary>
    public static string Name(string scoped) => scoped[(scoped.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
