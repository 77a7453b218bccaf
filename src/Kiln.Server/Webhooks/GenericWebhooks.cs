using Kiln.Core.Triggers;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Webhooks;

/// <summary>Any other git host, or a <c>post-receive</c> hook: a small JSON body
/// <c>{"ref": "refs/heads/main", "commit": "…", "before": "…", "actor": "…", "message": "…"}</c>
/// (<c>ref</c> and <c>commit</c> required; a bare branch name is taken as <c>refs/heads/</c> it), signed with
/// <c>X-Kiln-Signature-256: sha256=</c> the hex HMAC-SHA256 of the body, or sent with
/// <c>Authorization: Bearer</c> the secret. <c>X-Kiln-Delivery</c> names the delivery; without it the body's
/// SHA-256 does, so a hook that sends the same push twice builds it once.</summary>
public sealed class GenericWebhooks : IWebhookProvider
{
    public const string SignatureHeader = "X-Kiln-Signature-256";
    public const string DeliveryHeader = "X-Kiln-Delivery";

    public Forge Forge => Forge.Generic;

    public string? DeliveryId(IHeaderDictionary headers) => headers[DeliveryHeader].FirstOrDefault();

    public string? EventName(IHeaderDictionary headers) => "push";

    public HookCredential Credential(IHeaderDictionary headers)
    {
        if (headers[SignatureHeader].FirstOrDefault() is { } signature)
        {
            return HookCredential.HexSignature(SignatureHeader, signature);
        }

        var authorization = headers.Authorization.FirstOrDefault();
        return authorization?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true
            ? new HookCredential.Token(authorization["Bearer ".Length..].Trim())
            : new HookCredential.Missing($"The delivery has neither an {SignatureHeader} header nor an 'Authorization: Bearer' token.");
    }

    public HookPayload Parse(string eventName, ReadOnlyMemory<byte> body)
    {
        var push = WebhookJson.Read<PushBody>(body);
        if (string.IsNullOrWhiteSpace(push.Ref) || string.IsNullOrWhiteSpace(push.Commit))
        {
            return HookPayload.Malformed("The body needs 'ref' (such as \"refs/heads/main\") and 'commit' (the commit id pushed).");
        }

        var reference = push.Ref.StartsWith("refs/", StringComparison.Ordinal) ? push.Ref : RefPrefix.Heads + push.Ref;
        if (RefPrefix.IsNullCommit(push.Commit))
        {
            return HookPayload.Ignore($"'{reference}' was deleted");
        }

        return HookPayload.Build(ForgeTrigger.Push(reference, push.Commit, string.IsNullOrWhiteSpace(push.Actor) ? "webhook" : push.Actor) with
        {
            Before = push.Before,
            Message = push.Message,
        });
    }

    private sealed record PushBody(string? Ref, string? Commit, string? Before, string? Actor, string? Message);
}
