using Kiln.Core.Triggers;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Webhooks;

/// <summary>GitLab: <c>X-Gitlab-Event</c>; <c>Idempotency-Key</c> (the same on a retry) or else
/// <c>X-Gitlab-Event-UUID</c> names the delivery; the secret token sent as it is in <c>X-Gitlab-Token</c>, or,
/// for a hook with a signing token, a <see cref="StandardWebhookSignature"/> (which wins when both are sent). Events built: Push Hook, Tag Push Hook (a deletion builds nothing), and Merge
/// Request Hook with action open, reopen, or update with new commits (<c>oldrev</c> set).</summary>
public sealed class GitLabWebhooks(TimeProvider time) : IWebhookProvider
{
    public Forge Forge => Forge.GitLab;

    public string? DeliveryId(IHeaderDictionary headers) =>
        headers["Idempotency-Key"].FirstOrDefault() ?? headers["X-Gitlab-Event-UUID"].FirstOrDefault() ?? headers[StandardWebhookSignature.IdHeader].FirstOrDefault();

    public string? EventName(IHeaderDictionary headers) => headers["X-Gitlab-Event"].FirstOrDefault();

    public HookCredential Credential(IHeaderDictionary headers)
    {
        if (headers[StandardWebhookSignature.SignatureHeader].FirstOrDefault() is { Length: > 0 } signatures)
        {
            return StandardWebhookSignature.Read(headers[StandardWebhookSignature.IdHeader].FirstOrDefault(),
                headers[StandardWebhookSignature.TimestampHeader].FirstOrDefault(), signatures, time.GetUtcNow());
        }

        return headers["X-Gitlab-Token"].FirstOrDefault() is { Length: > 0 } token
            ? new HookCredential.Token(token)
            : new HookCredential.Missing("The delivery has neither an X-Gitlab-Token header nor a webhook-signature header.");
    }

    public HookPayload Parse(string eventName, ReadOnlyMemory<byte> body)
    {
        switch (eventName)
        {
            case "Push Hook" or "Tag Push Hook":
                var push = WebhookJson.Read<PushEvent>(body);
                if (push.Ref is null || push.After is null)
                {
                    return HookPayload.Malformed("A push event needs 'ref' and 'after'.");
                }

                if (RefPrefix.IsNullCommit(push.After))
                {
                    return HookPayload.Ignore($"'{push.Ref}' was deleted");
                }

                return HookPayload.Build(ForgeTrigger.Push(push.Ref, push.CheckoutSha ?? push.After, push.UserUsername ?? "unknown") with
                {
                    Before = push.Before,
                    Message = push.Commits?.LastOrDefault(c => c.Id == push.After)?.Message ?? (push.Commits is { Count: > 0 } commits ? commits[^1].Message : null),
                    Repositories = Repositories(push.Project),
                });
            case "Merge Request Hook":
                var mr = WebhookJson.Read<MergeRequestEvent>(body);
                if (mr.ObjectAttributes is not { Iid: { } iid, TargetBranch: { } target, LastCommit.Id: { } sha } request)
                {
                    return HookPayload.Malformed("A merge request event needs 'object_attributes.iid', 'target_branch' and 'last_commit.id'.");
                }

                var builds = request.Action is "open" or "reopen" || (request.Action == "update" && request.Oldrev is not null);
                if (!builds)
                {
                    return HookPayload.Ignore($"merge request action '{request.Action}'{(request.Action == "update" ? " without new commits" : "")} builds nothing (open, reopen and update with new commits do)");
                }

                return HookPayload.Build(ForgeTrigger.PullRequestHead($"refs/merge-requests/{iid}/head", sha, mr.User?.Username ?? "unknown", iid, request.SourceBranch, target) with
                {
                    Before = request.Oldrev,
                    Message = request.LastCommit.Message,
                    Repositories = Repositories(mr.Project),
                    FromFork = request.SourceProjectId != request.TargetProjectId,
                });
            default:
                return HookPayload.Ignore($"GitLab event '{eventName}' builds nothing (Push Hook, Tag Push Hook and Merge Request Hook do)");
        }
    }

    private static IReadOnlyList<ForgeRepository> Repositories(Project? project) =>
        project is null ? [] : WebhookJson.Repositories(project.WebUrl, project.GitHttpUrl, project.GitSshUrl);

    private sealed record PushEvent(string? Ref, string? Before, string? After, string? CheckoutSha, string? UserUsername, Project? Project, IReadOnlyList<Commit>? Commits);

    private sealed record MergeRequestEvent(User? User, Project? Project, MergeRequest? ObjectAttributes);

    private sealed record MergeRequest(int? Iid, string? Action, string? SourceBranch, string? TargetBranch, long? SourceProjectId, long? TargetProjectId, string? Oldrev, Commit? LastCommit);

    private sealed record Project(string? PathWithNamespace, string? WebUrl, string? GitHttpUrl, string? GitSshUrl);

    private sealed record Commit(string? Id, string? Message);

    private sealed record User(string? Username);
}
