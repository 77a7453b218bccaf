namespace Kiln.Server.Projects;

/// <summary>The allowed values of a project's settings, checked alike when a project is added and when it
/// is patched. Each check returns what is wrong, naming the field, or null when the value is fine.</summary>
public static class ProjectSettings
{
    public const int MaxCooldownSeconds = 86_400;
    public const int MaxWeight = 100;

    /// <summary>The column's length (ProjectConfiguration): longer fails on PostgreSQL, not on SQLite.</summary>
    public const int MaxBranchLength = 255;

    public static string? CheckDefaultBranch(string branch) =>
        branch.Length == 0 ? "'defaultBranch' must be a branch name; got an empty string."
        : branch.Length > MaxBranchLength ? $"'defaultBranch' must be at most {MaxBranchLength} characters; got {branch.Length}."
        : null;

    public static string? CheckCooldownSeconds(int seconds) =>
        seconds is >= 0 and <= MaxCooldownSeconds ? null : $"'cooldownSeconds' must be 0 to {MaxCooldownSeconds} (one day); got {seconds}.";

    public static string? CheckMaxRunningBuilds(int? limit) =>
        limit is null or >= 1 ? null : $"'maxRunningBuilds' must be at least 1, or null for no limit; got {limit}.";

    public static string? CheckWeight(int weight) =>
        weight is >= 1 and <= MaxWeight ? null : $"'weight' must be 1 to {MaxWeight}; got {weight}.";
}
