using Kiln.Server.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Web;

/// <summary>The web UI: server-rendered Razor components at the paths DESIGN.md lists, their live panels,
/// the sign-in, the forms' actions, and the embedded static files.</summary>
public static class WebUi
{
    public const string CsrfField = "__kiln_csrf";

    public static IServiceCollection AddWebUi(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = CsrfField;
            o.Cookie.Name = "kiln_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        services.AddSingleton<WebAssets>();
        services.AddScoped<WebSignIn>();
        services.AddScoped<DashboardQueries>();
        services.AddScoped<PageRenderer>();
        return services;
    }

    public static WebApplication MapWebUi(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.MapGet("/static/{*path}", (string path, HttpContext http, WebAssets assets) => assets.Serve(path, http)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/favicon.ico", (HttpContext http, WebAssets assets) => assets.Serve("favicon.svg", http)).AllowAnonymous().ExcludeFromDescription();
        app.MapSignInPages();
        var pages = app.MapGroup("").RequireAuthorization(KilnClaims.UserPolicy).ExcludeFromDescription();
        pages.MapDashboardPages();
        pages.MapProjectPages();
        pages.MapBuildPages();
        pages.MapAgentPages();
        return app;
    }

    /// <summary>Checks a form's antiforgery token; null when it is good.</summary>
    public static async Task<IResult?> RefuseForgedAsync(HttpContext http)
    {
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(http);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return TypedResults.Problem("The form was not sent from this Kiln's own page (its antiforgery token is missing or wrong); reload the page and try again.",
                statusCode: StatusCodes.Status400BadRequest, title: "Form refused");
        }
    }

    /// <summary>303 See Other: after a form, the browser loads the page with GET.</summary>
    public static IResult SeeOther(string url) => new SeeOtherResult(url);

    private sealed class SeeOtherResult(string url) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = url;
            return Task.CompletedTask;
        }
    }
}
