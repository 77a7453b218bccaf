using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Tests.Webhooks;

/// <summary>One committed delivery from <c>Payloads/</c>: its body's exact bytes and its headers (without the
/// signature, which tests compute over those bytes).</summary>
internal sealed record PayloadFixture(string Provider, string Name, byte[] Body, HeaderDictionary Headers)
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Webhooks", "Payloads");

    public static PayloadFixture Load(string provider, string name)
    {
        var headers = new HeaderDictionary();
        foreach (var line in File.ReadAllLines(Path.Combine(Root, provider, name + ".headers")))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return new(provider, name, File.ReadAllBytes(Path.Combine(Root, provider, name + ".json")), headers);
    }

    /// <summary>Every fixture as (provider, name).</summary>
    public static IEnumerable<(string Provider, string Name)> All() =>
        Directory.GetFiles(Root, "*.json", SearchOption.AllDirectories)
            .Select(f => (Path.GetFileName(Path.GetDirectoryName(f)!), Path.GetFileNameWithoutExtension(f)))
            .Order();
}
