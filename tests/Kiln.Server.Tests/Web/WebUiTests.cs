using System.Net;

namespace Kiln.Server.Tests.Web;

/// <summary>The web UI's gate, through the real server: pages need a session, forms need their antiforgery
/// token, every page carries the CSP, and the embedded assets are served.</summary>
public sealed class WebUiTests
{
    [Fact]
    public async Task A_page_without_a_session_redirects_to_login_with_a_local_return_url()
    {
        await using var server = await KilnTestServer.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Client(null).BaseAddress };

        using var dashboard = await http.GetAsync(new Uri("/projects", UriKind.Relative));
        using var login = await http.GetAsync(new Uri("/login?returnUrl=https://evil.example/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Equal("/login?returnUrl=%2Fprojects", dashboard.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("script-src 'self'", login.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await login.Content.ReadAsStringAsync();
        Assert.Contains("name=\"returnUrl\" value=\"/\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_refused_and_signs_nobody_in()
    {
        await using var server = await KilnTestServer.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Client(null).BaseAddress };

        using var forged = await http.PostAsync(new Uri("/login", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "admin", ["password"] = "x" }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.False(forged.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("kiln_session", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_vendored_scripts_are_served_from_the_binary()
    {
        await using var server = await KilnTestServer.StartAsync();
        using var http = server.Client(null);

        using var htmx = await http.GetAsync(new Uri("/static/vendor/htmx.min.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, htmx.StatusCode);
        Assert.StartsWith("text/javascript", htmx.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Contains("htmx", await htmx.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
