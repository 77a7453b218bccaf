using Kiln.Core.Triggers;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Webhooks;

/// <summary>Gitea and Forgejo: <c>X-Gitea-Event</c> / <c>X-Forgejo-Event</c>, <c>X-Gitea-Delivery</c> /
/// <c>X-Forgejo-Delivery</c>, and <c>X-Gitea-Signature</c> / <c>X-Forgejo-Signature</c>: the hex HMAC-SHA256 of
/// the raw body, with no prefix. Events built: <c>push</c> (branch or tag; a deletion builds nothing) and
/// <c>pull_request</c> opened, synchronized, reopened.</summary>
public sealed class GiteaWebhooks : IWebhookProvider
{
    public Forge Forge => Forge.Gitea;

    public string? DeliveryId(IHeaderDictionary headers) => First(headers, "Delivery");

    public string? EventName(IHeaderDictionary headers) => First(headers, "Event");

    public HookCredential Credential(IHeaderDictionary headers) =>
        HookCredential.HexSignature("X-Gitea-Signature", First(headers, "Signature"), prefixed: false);

    public HookPayload Parse(string eventName, ReadOnlyMemory<byte> body)
    {
        switch (eventName)
        {
            case "push":
                var push = WebhookJson.Read<PushEvent>(body);
                if (push.Ref is null || push.After is null)
                {
                    return HookPayload.Malformed("A push event needs 'ref' and 'after'.");
                }

                if (RefPrefix.IsNullCommit(push.After))
                {
                    return HookPayload.Ignore($"'{push.Ref}' was deleted");
                }

                return HookPayload.Build(ForgeTrigger.Push(push.Ref, push.After, push.Sender?.Name ?? push.Pusher?.Name ?? "unknown") with
                {
                    Before = push.Before,
                    Message = push.HeadCommit?.Message ?? (push.Commits is { Count: > 0 } commits ? commits[^1].Message : null),
                    Repositories = Repositories(push.Repository),
                });
            case "pull_request":
                var pr = WebhookJson.Read<PullRequestEvent>(body);
                if (pr.PullRequest is not { Head.Sha: { } sha, Base.Ref: { } baseRef } request)
                {
                    return HookPayload.Malformed("A pull_request event needs 'pull_request.head.sha' and 'pull_request.base.ref'.");
                }

                if (pr.Action is not ("opened" or "synchronized" or "reopened"))
                {
                    return HookPayload.Ignore($"pull request action '{pr.Action}' builds nothing (opened, synchronized and reopened do)");
                }

                var number = pr.Number ?? request.Number ?? 0;
                return HookPayload.Build(ForgeTrigger.PullRequestHead($"refs/pull/{number}/head", sha, pr.Sender?.Name ?? "unknown", number, request.Head.Ref, baseRef) with
                {
                    Before = request.Base.Sha,
                    Repositories = Repositories(pr.Repository ?? request.Base.Repo),
                    FromFork = request.Head.RepoId is not { } head || head != (request.Base.RepoId ?? pr.Repository?.Id),
                });
            case "create" or "delete":
                // A new branch or tag also comes as a push; a deleted one builds nothing.
                return HookPayload.Ignore($"Gitea event '{eventName}' builds nothing (the push event builds new refs)");
            default:
                return HookPayload.Ignore($"Gitea event '{eventName}' builds nothing (push and pull_request do)");
        }
    }

    private static string? First(IHeaderDictionary headers, string name) =>
        headers[$"X-Gitea-{name}"].FirstOrDefault() ?? headers[$"X-Forgejo-{name}"].FirstOrDefault();

    private static IReadOnlyList<ForgeRepository> Repositories(Repository? repository) =>
        repository is null ? [] : WebhookJson.Repositories(repository.HtmlUrl, repository.CloneUrl, repository.SshUrl);

    private sealed record PushEvent(string? Ref, string? Before, string? After, Commit? HeadCommit, IReadOnlyList<Commit>? Commits, Repository? Repository, User? Sender, User? Pusher);

    private sealed record PullRequestEvent(string? Action, int? Number, PullRequest? PullRequest, Repository? Repository, User? Sender);

    private sealed record PullRequest(int? Number, Branch? Head, Branch? Base);

    private sealed record Branch(string? Ref, string? Sha, long? RepoId, Repository? Repo);

    private sealed record Repository(long? Id, string? FullName, string? HtmlUrl, string? CloneUrl, string? SshUrl);

    private sealed record Commit(string? Id, string? Message);

    /// <summary>Gitea writes both <c>login</c> and <c>username</c>.</summary>
    private sealed record User(string? Login, string? Username)
    {
        public string? Name => Login ?? Username;
    }
}
