using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Web;

/// <summary>Renders a page component on the server with its <see cref="PageFrame"/> and its data.</summary>
public sealed class PageRenderer(IAntiforgery antiforgery, WebAssets assets, TimeProvider time)
{
    public PageFrame Frame(HttpContext http, string title, string? liveUrl = null)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return new PageFrame(title, http.User.Identity?.IsAuthenticated == true ? http.User.FindFirstValue(ClaimTypes.Name) : null,
            new Csrf(tokens.FormFieldName, tokens.RequestToken!), assets, time.GetUtcNow(), $"{http.Request.Scheme}://{http.Request.Host}", liveUrl);
    }

    /// <summary>A whole page: <typeparamref name="TPage"/> with <c>Frame</c> and the given parameters.</summary>
    public RazorComponentResult<TPage> Page<TPage>(HttpContext http, string title, IDictionary<string, object?> parameters, string? liveUrl = null, int status = StatusCodes.Status200OK)
        where TPage : IComponent
    {
        parameters["Frame"] = Frame(http, title, liveUrl);
        return new RazorComponentResult<TPage>(parameters) { StatusCode = status };
    }

    /// <summary>One panel, for a live update (no frame of its own).</summary>
    public RazorComponentResult<TPanel> Panel<TPanel>(IDictionary<string, object?> parameters)
        where TPanel : IComponent
    {
        parameters["Now"] = time.GetUtcNow();
        return new RazorComponentResult<TPanel>(parameters);
    }
}
