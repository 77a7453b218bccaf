using Kiln.Core.Triggers;

namespace Kiln.Server.Webhooks;

/// <summary>One build a webhook asks for, as every forge's payload comes down to: the event, the ref and
/// commit, the range pushed (<c>Before</c>, null or all zeros for a new branch), the forge-verified actor,
/// the repository it came from, and for a pull request its number, base branch and whether its head is
/// a fork.</summary>
public sealed record ForgeTrigger(TriggerEvent Event, string Ref, string Commit, string Actor)
{
    public string? Before { get; init; }

    /// <summary>The head commit's message as the payload gives it (the server reads it from git when it can).</summary>
    public string? Message { get; init; }

    /// <summary>The repository as every URL the payload names it by (web, https clone, ssh clone).</summary>
    public IReadOnlyList<ForgeRepository> Repositories { get; init; } = [];

    public int? PullRequest { get; init; }

    public string? BaseBranch { get; init; }

    public bool FromFork { get; init; }

    /// <summary>The pushed branch; for a pull request its head branch.</summary>
    public string? Branch { get; init; }

    public string? Tag { get; init; }

    /// <summary>A push of a ref: a tag's is a <c>tag</c> event, a branch's a <c>push</c>.</summary>
    public static ForgeTrigger Push(string reference, string commit, string actor)
    {
        var tag = reference.StartsWith(RefPrefix.Tags, StringComparison.Ordinal) ? reference[RefPrefix.Tags.Length..] : null;
        var branch = reference.StartsWith(RefPrefix.Heads, StringComparison.Ordinal) ? reference[RefPrefix.Heads.Length..] : null;
        return new(tag is null ? TriggerEvent.Push : TriggerEvent.Tag, reference, commit, actor) { Branch = branch, Tag = tag };
    }

    /// <summary>A pull (merge) request's head commit; <paramref name="reference"/> is the forge's ref for
    /// its head (<c>refs/pull/N/head</c>), fetched with the mirror.</summary>
    public static ForgeTrigger PullRequestHead(string reference, string commit, string actor, int number, string? headBranch, string baseBranch) =>
        new(TriggerEvent.PullRequest, reference, commit, actor) { PullRequest = number, Branch = headBranch, BaseBranch = baseBranch };
}

/// <summary>Git's ref prefixes.</summary>
public static class RefPrefix
{
    public const string Heads = "refs/heads/";
    public const string Tags = "refs/tags/";

    /// <summary>The all-zeros commit id forges send for a ref that did not exist (before) or no longer does (after).</summary>
    public static bool IsNullCommit(string? commit) => commit is null || (commit.Length > 0 && commit.All(c => c == '0'));
}

/// <summary>What a delivery's payload says: the builds it asks for, or that it is a ping, or why it asks
/// for none (a deletion, an event Kiln does not build), or why it cannot be read.</summary>
public sealed record HookPayload(IReadOnlyList<ForgeTrigger> Triggers, string? Ignored = null, bool Ping = false, string? Invalid = null)
{
    public static HookPayload Build(ForgeTrigger trigger) => new([trigger]);

    public static HookPayload Ignore(string reason) => new([], Ignored: reason);

    public static HookPayload Malformed(string reason) => new([], Invalid: reason);

    public static HookPayload PingReceived { get; } = new([], Ping: true);
}
