using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Kiln.Server.Web;

/// <summary>Every page is sent with a Content-Security-Policy that allows no inline script, no other origin
/// and no framing, so text from a build that got past escaping still could not run.</summary>
public static class SecurityHeaders
{
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
        }

        await next(http);
    });
}
