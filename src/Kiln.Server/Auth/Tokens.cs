using System.Security.Cryptography;
using System.Text;

namespace Kiln.Server.Auth;

/// <summary>API tokens are random, shown once, and stored only as their SHA-256.</summary>
public static class Tokens
{
    public static string NewToken() =>
        "kiln_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();
}
