using Kiln.Server.Web.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kiln.Server.Web;

/// <summary><c>/login</c> and <c>/logout</c>: a form post with its antiforgery token, answered 303.</summary>
public static class SignInPages
{
    public static IEndpointRouteBuilder MapSignInPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (string? returnUrl, HttpContext http, PageRenderer pages) =>
            pages.Page<LoginPage>(http, "Sign in", new Dictionary<string, object?> { ["ReturnUrl"] = WebSignIn.LocalReturnUrl(returnUrl) }))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/login", async (HttpContext http, WebSignIn signIn, PageRenderer pages, CancellationToken ct) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            var form = await http.Request.ReadFormAsync(ct);
            var returnUrl = WebSignIn.LocalReturnUrl(form["returnUrl"]);
            if (await signIn.SignInAsync(http, form["name"], form["password"], ct))
            {
                return WebUi.SeeOther(returnUrl);
            }

            return pages.Page<LoginPage>(http, "Sign in", new Dictionary<string, object?>
            {
                ["ReturnUrl"] = returnUrl,
                ["Name"] = form["name"].ToString(),
                ["Error"] = "That name and password do not match a user.",
            }, status: StatusCodes.Status401Unauthorized);
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", async (HttpContext http) =>
        {
            if (await WebUi.RefuseForgedAsync(http) is { } refused)
            {
                return refused;
            }

            await http.SignOutAsync(WebSignIn.Scheme);
            return WebUi.SeeOther("/");
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }
}
