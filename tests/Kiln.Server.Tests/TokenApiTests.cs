using System.Net;
using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary><c>/api/v1/tokens</c>: who may create, what a token may do, and that revoking takes effect at once.</summary>
public sealed class TokenApiTests
{
    [Fact]
    public async Task An_admin_creates_a_user_token_that_works_is_listed_without_its_secret_and_stops_working_when_revoked()
    {
        await using var server = await StartAsync();
        var created = await CreateTokenAsync(server.Admin, new CreateTokenRequest("ci-bot", "user", "read", 3600));
        Assert.Equal(("ci-bot", "user", "read"), (created.Name, created.Kind, created.Scope));
        Assert.StartsWith("kiln_", created.Token, StringComparison.Ordinal);
        Assert.InRange(created.ExpiresAt!.Value, TimeProvider.System.GetUtcNow().AddMinutes(59), TimeProvider.System.GetUtcNow().AddMinutes(61));

        var bot = server.Client(created.Token);
        using (var projects = await bot.GetAsync("api/v1/projects"))
        {
            await ExpectAsync(projects, HttpStatusCode.OK);
        }

        using (var list = await server.Admin.GetAsync("api/v1/tokens"))
        {
            await ExpectAsync(list, HttpStatusCode.OK);
            var body = await list.Content.ReadAsStringAsync();
            Assert.DoesNotContain(created.Token, body, StringComparison.Ordinal);
            var listed = Assert.Single((await list.Content.ReadFromJsonAsync(KilnJsonContext.Default.ListTokenResource))!, t => t.Id == created.Id);
            Assert.Equal(("ci-bot", "user", "read", "admin"), (listed.Name, listed.Kind, listed.Scope, listed.User));
        }

        using (var revoke = await server.Admin.DeleteAsync($"api/v1/tokens/{created.Id}"))
        {
            await ExpectAsync(revoke, HttpStatusCode.NoContent);
        }

        using (var refused = await bot.GetAsync("api/v1/projects"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var again = await server.Admin.DeleteAsync($"api/v1/tokens/{created.Id}");
        await ProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_an_admin_scoped_token_of_an_admin_creates_tokens_and_anonymous_callers_get_401()
    {
        await using var server = await StartAsync();
        var write = await CreateTokenAsync(server.Admin, new CreateTokenRequest(null, null, "write", null));
        Assert.Equal(("api", "user", "write", null), (write.Name, write.Kind, write.Scope, write.ExpiresAt));

        using (var forbidden = await server.Client(write.Token).PostAsJsonAsync("api/v1/tokens", new CreateTokenRequest(null, "user", "admin", null), KilnJsonContext.Default.CreateTokenRequest))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using (var anonymous = await server.Client(null).PostAsJsonAsync("api/v1/tokens", new CreateTokenRequest(null, "user", "read", null), KilnJsonContext.Default.CreateTokenRequest))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var anonymousList = await server.Client(null).GetAsync("api/v1/tokens"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymousList.StatusCode);
        }

        // Without the admin scope a token lists only its user's tokens: not the registration token.
        var registration = await CreateTokenAsync(server.Admin, new CreateTokenRequest(null, "agent-registration", null, null));
        using (var own = await server.Client(write.Token).GetAsync("api/v1/tokens"))
        {
            await ExpectAsync(own, HttpStatusCode.OK);
            var listed = (await own.Content.ReadFromJsonAsync(KilnJsonContext.Default.ListTokenResource))!;
            Assert.Contains(listed, t => t.Id == write.Id);
            Assert.DoesNotContain(listed, t => t.Id == registration.Id);
            Assert.All(listed, t => Assert.Equal("admin", t.User));
        }

        foreach (var bad in new[] { new CreateTokenRequest(null, "robot", null, null), new CreateTokenRequest(null, "user", "root", null), new CreateTokenRequest(null, "user", "read", 0) })
        {
            using var invalid = await server.Admin.PostAsJsonAsync("api/v1/tokens", bad, KilnJsonContext.Default.CreateTokenRequest);
            await ProblemAsync(invalid, HttpStatusCode.UnprocessableEntity);
        }
    }

    [Fact]
    public async Task A_registration_token_may_only_register_agents()
    {
        await using var server = await StartAsync();
        var registration = await CreateTokenAsync(server.Admin, new CreateTokenRequest(null, "agent-registration", "admin", null));
        Assert.Equal(("agent-registration", "agent-registration"), (registration.Kind, registration.Scope));
        var client = server.Client(registration.Token);

        using (var projects = await client.GetAsync("api/v1/projects"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, projects.StatusCode);
        }

        using (var lease = await client.PostAsJsonAsync("api/v1/agent/lease", new Contracts.AgentProtocol.LeaseRequest(0), KilnJsonContext.Default.LeaseRequest))
        {
            Assert.Equal(HttpStatusCode.Forbidden, lease.StatusCode);
        }

        using (var tokens = await client.GetAsync("api/v1/tokens"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, tokens.StatusCode);
        }

        var agent = await AgentRegistrationTests.RegisterAsync(server, registration.Token, "gpu-box", ["gpu"]);
        Assert.Equal("gpu-box", agent.Name);
    }

    public static async Task<CreatedTokenResource> CreateTokenAsync(HttpClient admin, CreateTokenRequest request)
    {
        using var response = await admin.PostAsJsonAsync("api/v1/tokens", request, KilnJsonContext.Default.CreateTokenRequest);
        await ExpectAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.CreatedTokenResource))!;
    }
}
