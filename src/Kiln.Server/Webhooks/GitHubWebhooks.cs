using Kiln.Core.Triggers;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Webhooks;

/// <summary>GitHub (and GitHub Enterprise): <c>X-GitHub-Event</c>, <c>X-GitHub-Delivery</c>, and
/// <c>X-Hub-Signature-256: sha256=</c> the hex HMAC-SHA256 of the raw body. Events built: <c>push</c>
/// (branch or tag; a deletion builds nothing) and <c>pull_request</c> opened, synchronize, reopened.</summary>
public sealed class GitHubWebhooks : IWebhookProvider
{
    public Forge Forge => Forge.GitHub;

    public string? DeliveryId(IHeaderDictionary headers) => headers["X-GitHub-Delivery"].FirstOrDefault();

    public string? EventName(IHeaderDictionary headers) => headers["X-GitHub-Event"].FirstOrDefault();

    public HookCredential Credential(IHeaderDictionary headers) =>
        HookCredential.HexSignature("X-Hub-Signature-256", headers["X-Hub-Signature-256"].FirstOrDefault());

    public HookPayload Parse(string eventName, ReadOnlyMemory<byte> body)
    {
        switch (eventName)
        {
            case "ping":
                return HookPayload.PingReceived;
            case "push":
                var push = WebhookJson.Read<PushEvent>(body);
                if (push.Ref is null || push.After is null)
                {
                    return HookPayload.Malformed("A push event needs 'ref' and 'after'.");
                }

                if (push.Deleted || RefPrefix.IsNullCommit(push.After))
                {
                    return HookPayload.Ignore($"'{push.Ref}' was deleted");
                }

                return HookPayload.Build(ForgeTrigger.Push(push.Ref, push.After, push.Sender?.Login ?? push.Pusher?.Name ?? "unknown") with
                {
                    Before = push.Before,
                    Message = push.HeadCommit?.Message,
                    Repositories = Repositories(push.Repository),
                });
            case "pull_request":
                var pr = WebhookJson.Read<PullRequestEvent>(body);
                if (pr.PullRequest is not { Head.Sha: { } sha, Base.Ref: { } baseRef } request)
                {
                    return HookPayload.Malformed("A pull_request event needs 'pull_request.head.sha' and 'pull_request.base.ref'.");
                }

                if (pr.Action is not ("opened" or "synchronize" or "reopened"))
                {
                    return HookPayload.Ignore($"pull request action '{pr.Action}' builds nothing (opened, synchronize and reopened do)");
                }

                var number = pr.Number ?? request.Number ?? 0;
                return HookPayload.Build(ForgeTrigger.PullRequestHead($"refs/pull/{number}/head", sha, pr.Sender?.Login ?? request.User?.Login ?? "unknown", number, request.Head.Ref, baseRef) with
                {
                    Before = request.Base.Sha,
                    Repositories = Repositories(pr.Repository ?? request.Base.Repo),
                    // A deleted fork leaves head.repo null: its code is still not the project's own.
                    FromFork = request.Head.Repo?.FullName is not { } head || !string.Equals(head, request.Base.Repo?.FullName ?? pr.Repository?.FullName, StringComparison.OrdinalIgnoreCase),
                });
            default:
                return HookPayload.Ignore($"GitHub event '{eventName}' builds nothing (push and pull_request do)");
        }
    }

    private static IReadOnlyList<ForgeRepository> Repositories(Repository? repository) =>
        repository is null ? [] : WebhookJson.Repositories(repository.HtmlUrl, repository.CloneUrl, repository.SshUrl);

    private sealed record PushEvent(string? Ref, string? Before, string? After, bool Deleted, Commit? HeadCommit, Repository? Repository, User? Sender, Pusher? Pusher);

    private sealed record PullRequestEvent(string? Action, int? Number, PullRequest? PullRequest, Repository? Repository, User? Sender);

    private sealed record PullRequest(int? Number, Branch? Head, Branch? Base, User? User);

    private sealed record Branch(string? Ref, string? Sha, Repository? Repo);

    private sealed record Repository(string? FullName, string? HtmlUrl, string? CloneUrl, string? SshUrl);

    private sealed record Commit(string? Id, string? Message);

    private sealed record User(string? Login);

    private sealed record Pusher(string? Name);
}
