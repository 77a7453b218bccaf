using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Infrastructure;

/// <summary>RFC 9457 problem+json answers with a message that says what was wrong.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Invalid(string detail, IReadOnlyList<string>? errors = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Invalid request", extensions: WithErrors(errors, extensions));

    public static ProblemHttpResult BadRequest(string detail, IReadOnlyList<string>? errors = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request", extensions: WithErrors(errors, null));

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>The server lacks something it needs for this request (git); the request itself is fine.</summary>
    public static ProblemHttpResult ServiceUnavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");

    /// <summary>A bug or an infrastructure failure; the details are in the server's log under <paramref name="traceId"/>.</summary>
    public static ProblemHttpResult ServerError(string traceId) =>
        TypedResults.Problem(
            $"The server failed to handle the request; its log has the details (trace id {traceId}).",
            statusCode: StatusCodes.Status500InternalServerError,
            title: "Internal server error",
            extensions: new Dictionary<string, object?> { ["traceId"] = traceId });

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    private static IDictionary<string, object?> WithErrors(IReadOnlyList<string>? errors, IDictionary<string, object?>? extensions)
    {
        var ext = extensions ?? new Dictionary<string, object?>();
        if (errors is { Count: > 0 })
        {
            ext["errors"] = errors;
        }

        return ext;
    }
}
