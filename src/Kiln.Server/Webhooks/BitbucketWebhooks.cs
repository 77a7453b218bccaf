using Kiln.Core.Triggers;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Webhooks;

/// <summary>Bitbucket Cloud: <c>X-Event-Key</c>, <c>X-Request-UUID</c>, and <c>X-Hub-Signature: sha256=</c> the
/// hex HMAC-SHA256 of the raw body. Events built: <c>repo:push</c>, one build per branch or tag it moved (a
/// deleted one builds nothing), and <c>pullrequest:created</c> / <c>pullrequest:updated</c>.</summary>
public sealed class BitbucketWebhooks : IWebhookProvider
{
    public Forge Forge => Forge.Bitbucket;

    public string? DeliveryId(IHeaderDictionary headers) => headers["X-Request-UUID"].FirstOrDefault();

    public string? EventName(IHeaderDictionary headers) => headers["X-Event-Key"].FirstOrDefault();

    public HookCredential Credential(IHeaderDictionary headers) =>
        HookCredential.HexSignature("X-Hub-Signature", headers["X-Hub-Signature"].FirstOrDefault());

    public HookPayload Parse(string eventName, ReadOnlyMemory<byte> body)
    {
        switch (eventName)
        {
            case "diagnostics:ping":
                return HookPayload.PingReceived;
            case "repo:push":
                var push = WebhookJson.Read<PushEvent>(body);
                if (push.Push?.Changes is not { } changes)
                {
                    return HookPayload.Malformed("A repo:push event needs 'push.changes'.");
                }

                var actor = push.Actor?.Name ?? "unknown";
                var triggers = changes
                    .Where(c => c.New is { Name: not null, Target.Hash: not null })
                    .Select(c => ForgeTrigger.Push((c.New!.Type == "tag" ? RefPrefix.Tags : RefPrefix.Heads) + c.New.Name, c.New.Target!.Hash!, actor) with
                    {
                        Before = c.Old?.Target?.Hash,
                        Message = c.New.Target.Message,
                        Repositories = Repositories(push.Repository),
                    })
                    .ToList();
                return triggers.Count > 0 ? new HookPayload(triggers)
                    : HookPayload.Ignore(changes.Count == 0 ? "the push moved no branch or tag" : "every branch or tag pushed was deleted");
            case "pullrequest:created" or "pullrequest:updated":
                var pr = WebhookJson.Read<PullRequestEvent>(body);
                if (pr.Pullrequest is not { Id: { } id, Source.Commit.Hash: { } hash, Destination.Branch.Name: { } target } request)
                {
                    return HookPayload.Malformed("A pull request event needs 'pullrequest.id', 'source.commit.hash' and 'destination.branch.name'.");
                }

                return HookPayload.Build(ForgeTrigger.PullRequestHead(request.Source.Branch?.Name is { } source ? RefPrefix.Heads + source : $"pull-requests/{id}", hash, pr.Actor?.Name ?? "unknown", id, request.Source.Branch?.Name, target) with
                {
                    Before = request.Destination.Commit?.Hash,
                    Message = request.Title,
                    Repositories = Repositories(pr.Repository ?? request.Destination.Repository),
                    FromFork = !string.Equals(request.Source.Repository?.FullName, request.Destination.Repository?.FullName ?? pr.Repository?.FullName, StringComparison.OrdinalIgnoreCase),
                });
            default:
                return HookPayload.Ignore($"Bitbucket event '{eventName}' builds nothing (repo:push, pullrequest:created and pullrequest:updated do)");
        }
    }

    private static IReadOnlyList<ForgeRepository> Repositories(Repository? repository) =>
        repository?.FullName is { } name ? [new ForgeRepository("bitbucket.org", name), .. WebhookJson.Repositories(repository.Links?.Html?.Href)] : [];

    private sealed record PushEvent(Actor? Actor, Repository? Repository, Push? Push);

    private sealed record Push(IReadOnlyList<Change>? Changes);

    private sealed record Change(RefState? New, RefState? Old);

    private sealed record RefState(string? Type, string? Name, Commit? Target);

    private sealed record PullRequestEvent(Actor? Actor, Repository? Repository, PullRequest? Pullrequest);

    private sealed record PullRequest(int? Id, string? Title, Endpoint? Source, Endpoint? Destination);

    private sealed record Endpoint(NamedBranch? Branch, Commit? Commit, Repository? Repository);

    private sealed record NamedBranch(string? Name);

    private sealed record Commit(string? Hash, string? Message);

    private sealed record Repository(string? FullName, Links? Links);

    private sealed record Links(Link? Html);

    private sealed record Link(string? Href);

    /// <summary>Bitbucket's users have a <c>nickname</c> (older deliveries a <c>username</c>, now gone from its
    /// API) and a <c>uuid</c>. The display name is never used: anyone can choose any, so it proves nothing.</summary>
    private sealed record Actor(string? Nickname, string? Username, string? Uuid)
    {
        public string? Name => Nickname ?? Username ?? Uuid;
    }
}
