namespace Kiln.Server.Webhooks;

/// <summary>A repository on a forge, as <c>host/owner/name</c> (GitLab's groups make the path longer), read
/// from a clone or web URL: <c>https://host/owner/name(.git)</c>, <c>ssh://git@host[:port]/owner/name.git</c>
/// or <c>git@host:owner/name.git</c>. Compared without case: forges treat names so.</summary>
public sealed record ForgeRepository(string Host, string Path)
{
    /// <summary>Null for a local path or anything without a host and an <c>owner/name</c> path.</summary>
    public static ForgeRepository? FromUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        url = url.Trim();
        string host, path;
        if (url.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || string.IsNullOrEmpty(uri.Host))
            {
                return null;
            }

            (host, path) = (uri.Host, uri.AbsolutePath);
        }
        else if (System.Text.RegularExpressions.Regex.Match(url, @"^(?:[\w.-]+@)?([\w.-]+):(?!/)(.+)$") is { Success: true } scp)
        {
            (host, path) = (scp.Groups[1].Value, scp.Groups[2].Value);
        }
        else
        {
            return null;
        }

        path = path.Trim('/');
        if (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^4];
        }

        return path.Contains('/', StringComparison.Ordinal) ? new ForgeRepository(host.ToLowerInvariant(), path) : null;
    }

    /// <summary>Same host and path, ignoring case.</summary>
    public bool SameAs(ForgeRepository other) =>
        string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase) && string.Equals(Path, other.Path, StringComparison.OrdinalIgnoreCase);

    /// <summary>Same path, ignoring case: for payloads that name the repository without its host.</summary>
    public bool SamePathAs(string fullName) => string.Equals(Path, fullName.Trim('/'), StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Host}/{Path}";
}
