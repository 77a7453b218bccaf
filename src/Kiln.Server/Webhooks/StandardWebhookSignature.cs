using System.Globalization;
using System.Text;

namespace Kiln.Server.Webhooks;

/// <summary>The Standard Webhooks signature that GitLab sends when a hook has a signing token:
/// <c>webhook-id</c>, <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c>, a space-separated
/// list of <c>v1,&lt;base64 HMAC-SHA256&gt;</c> over <c>{id}.{timestamp}.{body}</c>. The key is the base64 after
/// a <c>whsec_</c> prefix, or the secret's UTF-8 bytes without one. A timestamp further than
/// <see cref="Tolerance"/> from now is refused, so a captured delivery cannot be replayed later.</summary>
public static class StandardWebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string KeyPrefix = "whsec_";

    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static HookCredential Read(string? id, string? timestamp, string signatures, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(timestamp))
        {
            return new HookCredential.Missing($"A delivery with a {SignatureHeader} header needs {IdHeader} and {TimestampHeader} headers.");
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return new HookCredential.Missing($"The {TimestampHeader} header must be Unix seconds.");
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return new HookCredential.Missing($"The {TimestampHeader} header is more than {Tolerance.TotalMinutes:0} minutes from the server's time.");
        }

        var expected = new List<byte[]>();
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.StartsWith("v1,", StringComparison.Ordinal) && TryBase64(entry[3..]) is { Length: 32 } mac)
            {
                expected.Add(mac);
            }
        }

        return expected.Count == 0
            ? new HookCredential.Missing($"The {SignatureHeader} header holds no 'v1,<base64 HMAC-SHA256>' signature.")
            : new HookCredential.Signature(expected, Encoding.UTF8.GetBytes($"{id}.{timestamp}."), Key);
    }

    /// <summary>The HMAC key of a secret: the bytes a <c>whsec_</c> token encodes, else the secret's UTF-8 bytes.</summary>
    public static byte[] Key(string secret) =>
        secret.StartsWith(KeyPrefix, StringComparison.Ordinal) && TryBase64(secret[KeyPrefix.Length..]) is { } key
            ? key
            : Encoding.UTF8.GetBytes(secret);

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
