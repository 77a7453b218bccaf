using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace Kiln.Server.Web;

/// <summary>The UI's static files (styles, scripts, the logo and the vendored libraries), embedded in the
/// binary so that one <c>kiln</c> file serves its own UI. Each is served with an ETag, and cached for a day.</summary>
public sealed class WebAssets
{
    public const string Prefix = "kiln-web/";

    private readonly FrozenDictionary<string, Asset> assets;

    public WebAssets()
    {
        var types = new FileExtensionContentTypeProvider();
        var assembly = typeof(WebAssets).Assembly;
        assets = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToFrozenDictionary(n => n[Prefix.Length..], n => Load(assembly, n, types), StringComparer.Ordinal);
    }

    public IResult Serve(string path, HttpContext http)
    {
        if (!assets.TryGetValue(path, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "public, max-age=86400";
        http.Response.Headers.ETag = asset.ETag;
        return http.Request.Headers.IfNoneMatch == asset.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Bytes, asset.ContentType);
    }

    /// <summary>The URL of an asset with its version, so that a new binary's files are fetched anew.</summary>
    public string Url(string path) => assets.TryGetValue(path, out var asset) ? $"/static/{path}?v={asset.ETag.Trim('"')}" : $"/static/{path}";

    private static Asset Load(Assembly assembly, string name, FileExtensionContentTypeProvider types)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        var type = types.TryGetContentType(name, out var known) ? known : "application/octet-stream";
        if (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal) || type.EndsWith("svg+xml", StringComparison.Ordinal))
        {
            type += "; charset=utf-8";
        }

        return new(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
