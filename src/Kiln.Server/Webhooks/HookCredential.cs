using System.Security.Cryptography;
using System.Text;

namespace Kiln.Server.Webhooks;

/// <summary>How a delivery proves it knows the project's webhook secret, as its forge documents it: a
/// token sent as it is (GitLab's <c>X-Gitlab-Token</c>, a bearer token), or a MAC of the raw body (HMAC-SHA256,
/// hex or base64), which the receiver recomputes while it reads the body. Every comparison is constant-time.</summary>
public abstract record HookCredential
{
    /// <summary>The delivery carries none (or a malformed one); <c>Reason</c> names the header.</summary>
    public sealed record Missing(string Reason) : HookCredential;

    /// <summary>A token compared with the secret as it is.</summary>
    public sealed record Token(string Presented) : HookCredential
    {
        public bool Matches(string secret) =>
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Presented), Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>HMAC-SHA256 of <c>Prefix</c> and then the raw body, keyed with the secret (its UTF-8 bytes,
    /// unless <c>Key</c> turns the secret into the key), that must equal one of <c>Expected</c> (a sender
    /// rotating its key may sign with several).</summary>
    public sealed record Signature(IReadOnlyList<byte[]> Expected, byte[]? Prefix = null, Func<string, byte[]>? Key = null) : HookCredential
    {
        public IncrementalHash Start(string secret)
        {
            var hash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Key?.Invoke(secret) ?? Encoding.UTF8.GetBytes(secret));
            if (Prefix is not null)
            {
                hash.AppendData(Prefix);
            }

            return hash;
        }

        public bool Matches(byte[] mac)
        {
            var matched = false;
            foreach (var expected in Expected)
            {
                matched |= CryptographicOperations.FixedTimeEquals(mac, expected);
            }

            return matched;
        }
    }

    /// <summary>A <c>sha256=&lt;hex&gt;</c> header (GitHub, Bitbucket, the generic hook); <paramref name="prefixed"/>
    /// false for a bare hex MAC (Gitea).</summary>
    public static HookCredential HexSignature(string header, string? value, bool prefixed = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return new Missing($"The delivery has no {header} header.");
        }

        var hex = value.Trim();
        if (prefixed)
        {
            if (!hex.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
            {
                return new Missing($"The {header} header must be 'sha256=' and the hex HMAC-SHA256 of the body.");
            }

            hex = hex["sha256=".Length..];
        }

        try
        {
            var mac = Convert.FromHexString(hex);
            return mac.Length == 32 ? new Signature([mac]) : new Missing($"The {header} header is not a SHA-256 MAC.");
        }
        catch (FormatException)
        {
            return new Missing($"The {header} header is not hexadecimal.");
        }
    }
}
