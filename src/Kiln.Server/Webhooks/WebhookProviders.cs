using Kiln.Core.Triggers;

namespace Kiln.Server.Webhooks;

/// <summary>The webhook providers by their name in <c>/hooks/{provider}/…</c> (<c>forgejo</c> is Gitea's).</summary>
public sealed class WebhookProviders(IEnumerable<IWebhookProvider> providers)
{
    private readonly Dictionary<Forge, IWebhookProvider> byForge = providers.ToDictionary(p => p.Forge);

    public IWebhookProvider? Find(string name) =>
        Forges.TryParse(name, out var forge) && byForge.TryGetValue(forge, out var provider) ? provider : null;

    public IWebhookProvider For(Forge forge) => byForge[forge];
}
