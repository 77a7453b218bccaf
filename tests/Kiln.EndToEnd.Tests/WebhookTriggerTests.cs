using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>A push delivered to the real <c>kiln</c> server's generic webhook builds by itself, and the CLI
/// says who and what triggered it.</summary>
public sealed class WebhookTriggerTests
{
    private const string Secret = "e2e-hook-secret";

    [Fact]
    public async Task A_generic_webhook_push_builds_and_kiln_status_shows_who_pushed()
    {
        await using var s = await RepoScenario.StartAsync("jobs:\n  build:\n    steps:\n      - run: echo built\n");
        Expect.ExitCode(0, await s.Server.RunCliAsync("project", "update", RepoScenario.Project, "--webhook-secret", Secret), s.Server);

        using var request = new HttpRequestMessage(HttpMethod.Post, KilnApi.Relative($"hooks/generic/{RepoScenario.Project}"))
        {
            Content = new StringContent($$"""{"ref": "refs/heads/main", "commit": "{{s.Commit}}", "actor": "mona"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
        using var response = await s.Server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // The delivery is built in the background: the build appears shortly after the answer.
        using var appeared = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await s.Api.ListBuildNumbersAsync(RepoScenario.Project)).Contains(1))
        {
            await Task.Delay(50, appeared.Token);
        }

        var build = await s.Api.WaitForFinishedAsync(RepoScenario.Project, 1, TimeSpan.FromSeconds(60));
        Assert.Equal(("succeeded", "push", "mona"), (build.Status, build.Event, build.TriggeredBy));

        var status = await s.Server.RunCliAsync("status", RepoScenario.Project);
        Expect.ExitCode(0, status, s.Server);
        Assert.Matches(@"By", status.Stdout);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(status.Stdout, @"#1 .*push .*mona \(generic\)"), status.Stdout);
    }
}
