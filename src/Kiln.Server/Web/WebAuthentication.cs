using Kiln.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Web;

/// <summary>Who a request is: a bearer token when it carries an <c>Authorization</c> header, else the UI's
/// cookie. The cookie is taken for the UI's pages and for reading the API (GET, HEAD) only: a change
/// through the API needs a token, and the UI's own forms carry an antiforgery token.</summary>
public static class WebAuthentication
{
    public const string Scheme = "kiln";
    public const string CookieName = "kiln_session";

    public static AuthenticationBuilder AddKilnAuthentication(this IServiceCollection services) =>
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Token or cookie", o => o.ForwardDefaultSelector = Select)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddCookie(WebSignIn.Scheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ReturnUrlParameter = "returnUrl";
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromDays(7);
                // The API answers 401/403 as problem+json, never a redirect to the login page.
                o.Events.OnRedirectToLogin = c => Deny(c, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = c => Deny(c, StatusCodes.Status403Forbidden);
            });

    private static string Select(HttpContext http)
    {
        if (http.Request.Headers.Authorization.Count > 0)
        {
            return TokenAuthenticationHandler.SchemeName;
        }

        if (!http.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return WebSignIn.Scheme;
        }

        // An API client without a session gets the token scheme's answers, as before the UI existed.
        var reads = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        return reads && http.Request.Cookies.ContainsKey(CookieName) ? WebSignIn.Scheme : TokenAuthenticationHandler.SchemeName;
    }

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || context.Request.Headers.ContainsKey("HX-Request"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
