using Kiln.Core.Pipelines;
using Kiln.Core.Triggers;

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

    public const int MinPollSeconds = 10;
    public const int MaxAllowedActors = 200;

    public static string? CheckWebhookSecret(string secret) =>
        secret.Length is >= 8 and <= 200 && secret.Trim() == secret ? null
        : $"'webhookSecret' must be 8 to 200 characters with no spaces at either end; got {secret.Length} characters.";

    public static string? CheckStatusToken(string token) =>
        token.Length is >= 1 and <= 500 && !token.Any(char.IsWhiteSpace) ? null
        : "'statusToken' must be 1 to 500 characters with no spaces (a forge access token).";

    public static string? CheckAllowedActors(IReadOnlyList<string> actors)
    {
        if (actors.Count > MaxAllowedActors)
        {
            return $"'allowedActors' may name at most {MaxAllowedActors} users; got {actors.Count}.";
        }

        var bad = actors.FirstOrDefault(a => a.Length is 0 or > 100 || a.Any(char.IsWhiteSpace));
        return bad is null ? null : $"'allowedActors' must be forge user names (1 to 100 characters, no spaces); got '{bad}'.";
    }

    public static string? CheckForkPullRequests(string text, out ForkPolicy? policy)
    {
        policy = ForkPolicies.TryParse(text, out var parsed) ? parsed : null;
        return policy is null ? $"'forkPullRequests' must be one of {string.Join(", ", ForkPolicies.Names)}; got '{text}'." : null;
    }

    /// <summary>A duration such as <c>5m</c> (DurationParser), at least <see cref="MinPollSeconds"/> and at most a day.</summary>
    public static string? CheckPollInterval(string text, out int? seconds)
    {
        seconds = DurationParser.TryParse(text, out var interval) && interval.TotalSeconds is >= MinPollSeconds and <= 86_400
            ? (int)interval.TotalSeconds
            : null;
        return seconds is null ? $"'pollInterval' must be a duration from {MinPollSeconds}s to 1d, such as \"5m\"; got '{text}'." : null;
    }

    public static string? CheckForge(string text, out Forge? forge)
    {
        forge = Forges.TryParse(text, out var parsed) && parsed != Forge.Generic ? parsed : null;
        return forge is null ? $"'forge' must be one of github, gitlab, gitea, bitbucket, or null to tell it from the repository URL; got '{text}'." : null;
    }

    public static string? CheckForgeApiUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && url.Length <= 500 ? null
        : $"'forgeApiUrl' must be an absolute http or https URL of at most 500 characters; got '{url}'.";
}
