using System.Diagnostics;
using Kiln.Server.Projects;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kiln.Server.Infrastructure;

/// <summary>Answers every exception that escapes an endpoint with problem+json. The default writer of
/// <c>AddProblemDetails</c> writes nothing when the request's Accept names neither JSON type (a log or SSE
/// client), which left an empty 500; a <see cref="Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult"/>
/// falls back to writing the JSON itself. A server without git answers 503 naming it.</summary>
internal sealed partial class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is GitUnavailableException git)
        {
            LogGitUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, git.Message);
            await Problems.ServiceUnavailable($"{git.Message}. {GitUnavailableException.Advice}").ExecuteAsync(httpContext);
            return true;
        }

        // The same id the default problem details carry, so the answer and the log line can be matched.
        var traceId = Activity.Current?.Id ?? httpContext.TraceIdentifier;
        LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path, traceId);
        await Problems.ServerError(traceId).ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: {Problem}")]
    private static partial void LogGitUnavailable(ILogger logger, string method, PathString path, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed (trace id {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path, string traceId);
}
