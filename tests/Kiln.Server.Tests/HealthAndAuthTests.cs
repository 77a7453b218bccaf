using System.Net;

namespace Kiln.Server.Tests;

public sealed class HealthAndAuthTests
{
    [Fact]
    public async Task Healthz_answers_at_once_and_readyz_only_once_the_database_is_migrated()
    {
        var dataDir = KilnTestServer.NewDataDir();
        var app = KilnTestServer.Build(dataDir, "--Kiln:ReaperIntervalSeconds=300");
        try
        {
            await app.StartAsync();
#pragma warning disable RS0030 // A bare client for a bare server: no token, no base address needed beyond the URL.
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
#pragma warning restore RS0030

            using (var health = await http.GetAsync("/healthz"))
            {
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
            }

            using (var notReady = await http.GetAsync("/readyz"))
            {
                await KilnTestServer.ProblemAsync(notReady, HttpStatusCode.ServiceUnavailable);
            }

            var admin = await ServerHost.PrepareAsync(app, CancellationToken.None);
            Assert.NotNull(admin);
            using var ready = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            KilnTestServer.DeleteDataDir(dataDir);
        }
    }

    [Fact]
    public async Task The_first_prepare_creates_the_admin_token_file_and_a_second_creates_nothing()
    {
        await using var server = await KilnTestServer.StartAsync();
        var file = Path.Combine(server.DataDir, "initial-admin-token");

        Assert.Equal(server.AdminToken + "\n", await File.ReadAllTextAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.StartsWith("kiln_", server.AdminToken, StringComparison.Ordinal);
        Assert.Null(await ServerHost.PrepareAsync(server.App, CancellationToken.None));
        using var stillValid = await server.Admin.GetAsync("api/v1/projects");
        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
    }

    [Fact]
    public async Task The_api_needs_a_known_token()
    {
        await using var server = await KilnTestServer.StartAsync();

        using var none = await server.Client(null).GetAsync("api/v1/projects");
        using var unknown = await server.Client("kiln_not-a-real-token").GetAsync("api/v1/projects");
        using var admin = await server.Admin.GetAsync("api/v1/projects");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal("[]", await admin.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task User_tokens_are_refused_on_agent_routes_and_agent_tokens_on_user_routes()
    {
        await using var server = await KilnTestServer.StartAsync();
        var agent = await server.EnrollAgentAsync();

        using var userOnAgentRoute = await server.Admin.PostAsync("api/v1/agent/lease", new StringContent("""{"waitSeconds":0}""", System.Text.Encoding.UTF8, "application/json"));
        using var agentOnUserRoute = await agent.GetAsync("api/v1/projects");
        using var agentOnAgentRoute = await agent.PostAsync("api/v1/agent/lease", new StringContent("""{"waitSeconds":0}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, userOnAgentRoute.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, agentOnUserRoute.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, agentOnAgentRoute.StatusCode);
    }

    [Fact]
    public async Task Enrolling_the_local_agent_again_revokes_its_previous_token()
    {
        await using var server = await KilnTestServer.StartAsync();
        var first = await server.EnrollAgentAsync("local");
        var second = await server.EnrollAgentAsync("local");

        using var old = await first.PostAsync("api/v1/agent/lease", new StringContent("""{"waitSeconds":0}""", System.Text.Encoding.UTF8, "application/json"));
        using var fresh = await second.PostAsync("api/v1/agent/lease", new StringContent("""{"waitSeconds":0}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, fresh.StatusCode);
    }
}
