using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Kiln.Server.Webhooks;

/// <summary>Reads a delivery's raw body, up to <see cref="MaxBytes"/> kept, feeding a MAC with every byte
/// (also past the limit, so a signature is checked before the size is: a wrong signature is a 401 whatever
/// the size).</summary>
internal static class WebhookBody
{
    /// <summary>The largest body kept: GitHub's own cap on a delivery.</summary>
    public const int MaxBytes = 25 * 1024 * 1024;

    /// <summary>Bytes read (and hashed) at most; past this the request is cut off as too large.</summary>
    private const long ReadLimit = 64L * 1024 * 1024;

    /// <returns>The body, or null if it was larger than <see cref="MaxBytes"/>; its length; and the MAC, when hashed.</returns>
    public static async Task<(byte[]? Body, long Length, byte[]? Mac)> ReadAsync(HttpRequest request, IncrementalHash? mac, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = ReadLimit;
        }

        using var kept = new MemoryStream();
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            mac?.AppendData(buffer, 0, read);
            if (length + read <= MaxBytes)
            {
                kept.Write(buffer, 0, read);
            }

            length += read;
        }

        return (length <= MaxBytes ? kept.ToArray() : null, length, mac?.GetHashAndReset());
    }
}
