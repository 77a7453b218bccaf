using System.Text.Json;

namespace Kiln.Server.Webhooks;

/// <summary>How payloads are read: the forges write snake_case (GitHub, GitLab, Gitea) or their own
/// spelling, given by <c>[JsonPropertyName]</c> where it differs. Unknown fields are ignored.</summary>
internal static class WebhookJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>The body as <typeparamref name="T"/>; a JSON <c>null</c> body is malformed too.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> body)
        where T : class =>
        JsonSerializer.Deserialize<T>(body.Span, Options) ?? throw new JsonException("The body is JSON null, not an object.");

    /// <summary>The repositories named by these URLs (nulls and unreadable ones left out).</summary>
    public static IReadOnlyList<ForgeRepository> Repositories(params string?[] urls) =>
        [.. urls.Select(ForgeRepository.FromUrl).OfType<ForgeRepository>()];
}
