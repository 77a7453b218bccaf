using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Infrastructure;

/// <summary>Reads a JSON request body by hand, so that a malformed one gets a problem whose detail says
/// what is wrong and where; the framework's body binding answers a bare 400 with no detail.</summary>
public static class JsonBody
{
    /// <summary>The body as a JSON object; otherwise a 415 (not JSON) or 400 (not parseable, not an object)
    /// whose detail starts with <paramref name="expected"/>, e.g. "The body must be a JSON object of …".</summary>
    public static async Task<(JsonElement? Body, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, string expected, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.UnsupportedMediaType($"Send the body as JSON (Content-Type: application/json, or application/merge-patch+json for a PATCH); got '{request.ContentType ?? "none"}'."));
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest($"{expected}; it is not valid JSON: {e.Message}"));
        }

        return body.ValueKind == JsonValueKind.Object
            ? (body, null)
            : (null, Problems.BadRequest($"{expected}; got {Describe(body)}."));
    }

    /// <summary>The body as a <typeparamref name="T"/>; a field of the wrong type is a 400 naming it.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, string expected, CancellationToken cancellationToken)
        where T : class
    {
        var (body, problem) = await ReadObjectAsync(request, expected, cancellationToken);
        if (body is not { } json)
        {
            return (null, problem);
        }

        try
        {
            return (json.Deserialize(type), null);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest(WrongType(json, type, e.Path)));
        }
    }

    /// <summary>A value for a message: its JSON kind, or a short copy of a string or number.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => Shorten(value.GetRawText()),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>"'weight' must be a whole number; got the string "x"." for a top-level field
    /// (<paramref name="path"/> "$.weight"), else a message with the JSON path.</summary>
    private static string WrongType(JsonElement body, JsonTypeInfo type, string? path)
    {
        var name = path is { Length: > 2 } && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
        var property = name is null ? null : type.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        if (property is null || !body.TryGetProperty(property.Name, out var value))
        {
            return $"The value at {path ?? "$"} has the wrong type.";
        }

        var expected = (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) switch
        {
            var t when t == typeof(string) => "a string",
            var t when t == typeof(int) || t == typeof(long) => "a whole number",
            var t when t == typeof(bool) => "true or false",
            var t when t.IsAssignableTo(typeof(System.Collections.IDictionary)) => "an object",
            var t when t.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "an array",
            _ => "of another type",
        };
        return $"'{property.Name}' must be {expected}; got {Describe(value)}.";
    }
}
