namespace Kiln.Core.Triggers;

/// <summary>Where a project's code lives, as far as Kiln talks to it: the webhook provider in
/// <c>/hooks/{provider}/{project}</c> and the API that commit statuses and hooks go to.
/// <see cref="Generic"/> is any other git host (or a local <c>post-receive</c> hook).</summary>
public enum Forge
{
    GitHub,
    GitLab,
    Gitea,
    Bitbucket,
    Generic,
}

/// <summary>Wire names of <see cref="Forge"/>: <c>github</c>, <c>gitlab</c>, <c>gitea</c>, <c>bitbucket</c>, <c>generic</c>.</summary>
public static class Forges
{
    private static readonly WireNames<Forge> Wire = new(f => f.ToString().ToLowerInvariant());

    public static IReadOnlyList<string> Names => Wire.Names;

    public static string ToWire(this Forge forge) => Wire.ToWire(forge);

    /// <summary>Any case; also takes <c>forgejo</c>, whose hooks and API are Gitea's.</summary>
    public static bool TryParse(string? name, out Forge forge) =>
        Wire.TryParse(string.Equals(name, "forgejo", StringComparison.OrdinalIgnoreCase) ? "gitea" : name?.ToLowerInvariant(), out forge);

    public static Forge Parse(string name) => Wire.Parse(name);
}
