using System.Net;
using System.Net.Http.Json;
using System.Text;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Webhooks;

/// <summary>Webhooks end to end through the real server: a signed delivery for a repository project (a
/// real git repository in a temp folder) is stored, answered and built in the background; everything
/// unsigned, oversized or malformed is refused before anything is stored.</summary>
public sealed class WebhookTests
{
    private const string Secret = HookEnv.Secret;
    private const string Zeros = "0000000000000000000000000000000000000000";

    private const string Pipeline = """
        jobs:
          build:
            steps:
              - run: echo build
          docs:
            when: { changes: ["docs/**"] }
            steps:
              - run: echo docs
        """;

    [Fact]
    public async Task A_signed_github_push_builds_its_commit_and_records_who_and_what()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);
        var before = await env.Repo.HeadAsync();
        var after = await env.Repo.CommitAsync("src/a.txt", "1", "add a");

        using var response = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("main", before, after, sender: "mona"), delivery: "d-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("accepted", (await HookSender.AnswerAsync(response)).Status);
        var build = await env.WaitForBuildAsync(1);
        Assert.Equal(("push", "refs/heads/main", "main", after, "mona"), (build.Event, build.Ref, build.Branch, build.Commit, build.TriggeredBy));
        Assert.Equal(("github", "d-1", "mona"), (build.Trigger!.Forge, build.Trigger.DeliveryId, build.Trigger.Actor));
        // The pushed range touched src/ only: the docs job is skipped by when.changes.
        Assert.Equal("skipped", build.Jobs.Single(j => j.Name == "docs").Status);
    }

    [Fact]
    public async Task Changes_are_those_of_every_commit_pushed_not_only_the_last()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);
        var before = await env.Repo.HeadAsync();
        await env.Repo.CommitAsync("docs/guide.md", "x", "docs first");
        var after = await env.Repo.CommitAsync("src/b.txt", "y", "then code");

        using var response = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("main", before, after));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("queued", (await env.WaitForBuildAsync(1)).Jobs.Single(j => j.Name == "docs").Status);
    }

    [Fact]
    public async Task A_wrong_or_missing_signature_is_401_and_stores_nothing()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);
        var head = await env.Repo.HeadAsync();
        var body = HookSender.GitHubPush("main", Zeros, head);

        using var wrong = await env.Hooks.GitHubAsync("push", body, signWith: "not-the-secret");
        using var none = await env.Hooks.SendAsync("github", body, new() { ["X-GitHub-Event"] = "push", ["X-GitHub-Delivery"] = "x" });
        using var badToken = await env.Hooks.GitLabAsync("Push Hook", "{}", token: "wrong-token!");

        Assert.Contains("signature does not match", (await KilnTestServer.ProblemAsync(wrong, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("X-Hub-Signature-256", (await KilnTestServer.ProblemAsync(none, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await KilnTestServer.ProblemAsync(badToken, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await env.DeliveriesAsync());
    }

    [Fact]
    public async Task A_project_without_a_secret_takes_no_webhooks()
    {
        await using var env = await HookEnv.StartWithSecretAsync(Pipeline, secret: null);

        using var response = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("main", Zeros, await env.Repo.HeadAsync()));

        Assert.Contains("no webhook secret", (await KilnTestServer.ProblemAsync(response, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_other_events_deletions_and_malformed_bodies_get_their_own_answers()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);

        using var ping = await env.Hooks.GitHubAsync("ping", """{"zen": "Keep it logically awesome.", "hook_id": 1}""");
        using var star = await env.Hooks.GitHubAsync("star", """{"action": "created"}""");
        using var deletion = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("old", await env.Repo.HeadAsync(), Zeros).Replace("\"deleted\": false", "\"deleted\": true", StringComparison.Ordinal));
        using var malformed = await env.Hooks.GitHubAsync("push", """{"ref": "refs/heads/main", """);
        using var closed = await env.Hooks.GitHubAsync("pull_request", """{"action": "closed", "number": 3, "pull_request": {"head": {"sha": "abc", "ref": "f"}, "base": {"ref": "main"}}}""");

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal("ping", (await HookSender.AnswerAsync(ping)).Status);
        Assert.Equal(HttpStatusCode.Accepted, star.StatusCode);
        Assert.Contains("'star' builds nothing", (await HookSender.AnswerAsync(star)).Ignored, StringComparison.Ordinal);
        Assert.Contains("was deleted", (await HookSender.AnswerAsync(deletion)).Ignored, StringComparison.Ordinal);
        Assert.Contains("not a valid push payload", (await KilnTestServer.ProblemAsync(malformed, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("action 'closed'", (await HookSender.AnswerAsync(closed)).Ignored, StringComparison.Ordinal);
        Assert.Equal(0, await env.DeliveriesAsync());
        Assert.Empty(await env.BuildsAsync());
    }

    [Fact]
    public async Task A_body_over_25_MB_is_413_once_signed_and_401_when_not()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);
        var body = new byte[(25 * 1024 * 1024) + 1];
        Array.Fill(body, (byte)' ');

        using var signed = await env.Hooks.SendAsync("github", body, new() { ["X-GitHub-Event"] = "push", ["X-Hub-Signature-256"] = "sha256=" + HookSender.Hmac(Secret, body) });
        using var unsigned = await env.Hooks.SendAsync("github", body, new() { ["X-GitHub-Event"] = "push", ["X-Hub-Signature-256"] = "sha256=" + HookSender.Hmac("other-secret", body) });

        await KilnTestServer.ProblemAsync(signed, HttpStatusCode.RequestEntityTooLarge);
        await KilnTestServer.ProblemAsync(unsigned, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_payload_for_another_repository_is_400()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);
        await env.SetRepoUrlAsync("https://github.com/acme/app.git");

        using var other = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("main", Zeros, await env.Repo.HeadAsync(), repo: "evil/fork"));

        Assert.Contains("github.com/evil/fork", (await KilnTestServer.ProblemAsync(other, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await env.DeliveriesAsync());
    }

    [Fact]
    public async Task A_redelivery_even_concurrent_makes_one_build_and_names_it()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);
        var body = HookSender.GitHubPush("main", Zeros, await env.Repo.HeadAsync());

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => env.Hooks.GitHubAsync("push", body, delivery: "same-delivery")));
        using var later = await env.Hooks.GitHubAsync("push", body, delivery: "same-delivery");

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var again = await HookSender.AnswerAsync(later);
        Assert.True(again.Duplicate);
        Assert.Equal([1], again.Builds);
        Assert.Single(await env.BuildsAsync());
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Skip_markers_filters_and_allowed_actors_are_recorded_not_built()
    {
        await using var env = await HookEnv.StartAsync("""
            on: { push: { branches: [main] } }
            jobs:
              build:
                steps:
                  - run: echo build
            """);
        await env.PatchAsync("""{"allowedActors": ["mona", "hubot"]}""");
        var before = await env.Repo.HeadAsync();
        var skipCi = await env.Repo.CommitAsync("a.txt", "1", "tidy [skip ci]");
        await env.Repo.GitAsync("checkout", "-q", "-b", "dev");
        var dev = await env.Repo.CommitAsync("b.txt", "2", "on dev");

        using var marked = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("main", before, skipCi, sender: "mona"));
        using var filtered = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("dev", skipCi, dev, sender: "hubot"));
        using var stranger = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("main", before, skipCi, sender: "mallory"), delivery: "from-mallory");

        var builds = await env.WaitForBuildsAsync(2);
        Assert.All(builds, b => Assert.Equal("skipped", b.Status));
        Assert.Contains(builds, b => b.Trigger!.SkipReason == "[skip ci] in the commit message");
        Assert.Contains(builds, b => b.Trigger!.SkipReason!.Contains("of branch 'dev'", StringComparison.Ordinal));
        var refused = await env.WaitForDeliveryAsync("from-mallory");
        Assert.Equal(Kiln.Data.Entities.DeliveryState.Skipped, refused.State);
        Assert.Contains("'mallory' is not one of the project's allowed actors", refused.Outcome, StringComparison.Ordinal);
        Assert.Equal(2, (await env.BuildsAsync()).Count);
    }

    [Fact]
    public async Task A_pull_request_builds_its_head_with_its_number_and_base_and_a_fork_waits_for_approval()
    {
        await using var env = await HookEnv.StartAsync("on: { push: {}, pull_request: {} }\n" + Pipeline);
        await env.PatchAsync("""{"forkPullRequests": "require-approval"}""");
        var main = await env.Repo.HeadAsync();
        await env.Repo.GitAsync("checkout", "-q", "-b", "feature");
        var head = await env.Repo.CommitAsync("src/f.txt", "f", "feature work");
        await env.Repo.GitAsync("update-ref", "refs/pull/7/head", head);

        using var own = await env.Hooks.GitHubAsync("pull_request", PullRequest(7, head, main, "acme/app"));
        using var fork = await env.Hooks.GitHubAsync("pull_request", PullRequest(8, head, main, "stranger/app"));

        var builds = await env.WaitForBuildsAsync(2);
        var pr7 = builds.Single(b => b.Trigger!.PullRequest == 7);
        Assert.Equal(("pull_request", head, "main", "feature"), (pr7.Event, pr7.Commit, pr7.Trigger!.BaseBranch, pr7.Branch));
        Assert.Equal("queued", pr7.Jobs.Single(j => j.Name == "build").Status);
        var pr8 = builds.Single(b => b.Trigger!.PullRequest == 8);
        Assert.Equal("manual", pr8.Jobs.Single(j => j.Name == "build").Status);
    }

    [Fact]
    public async Task Pushes_within_the_cooldown_run_one_build_of_the_newest_commit()
    {
        await using var env = await HookEnv.StartAsync(Pipeline);
        await env.PatchAsync("""{"cooldownSeconds": 60}""");
        var before = await env.Repo.HeadAsync();
        var commits = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            commits.Add(await env.Repo.CommitAsync("src/n.txt", i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"push {i}"));
            using var response = await env.Hooks.GitHubAsync("push", HookSender.GitHubPush("main", i == 0 ? before : commits[i - 1], commits[i]));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await env.WaitForBuildsAsync(i + 1);
        }

        var builds = await env.BuildsAsync();
        var live = Assert.Single(builds, b => b.Status == "queued");
        Assert.Equal(commits[^1], live.Commit);
        Assert.All(builds.Where(b => b != live), b => Assert.Equal("canceled", b.Status));
    }

    [Fact]
    public async Task A_delivery_stored_before_a_crash_is_built_at_the_next_start()
    {
        // A long poll: a row written behind the server's back is not seen until the next start.
        var env = await HookEnv.StartAsync(Pipeline, "--Kiln:WebhookPollSeconds=3600");
        using var repo = env.Repo;
        await using (var scope = env.Server.App.Services.CreateAsyncScope())
        {
            // What the endpoint stores before it answers; the server then dies before processing it.
            var db = scope.ServiceProvider.GetRequiredService<KilnDbContext>();
            db.WebhookDeliveries.Add(new Kiln.Data.Entities.WebhookDeliveryEntity
            {
                ProjectId = await db.Projects.Select(p => p.Id).SingleAsync(),
                Forge = Kiln.Core.Triggers.Forge.GitHub,
                DeliveryId = "before-the-crash",
                EventName = "push",
                Body = Encoding.UTF8.GetBytes(HookSender.GitHubPush("main", Zeros, await env.Repo.HeadAsync())),
                ReceivedAt = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc),
            });
            await db.SaveChangesAsync();
        }

        Assert.Empty(await env.BuildsAsync());
        await using var restarted = await env.RestartAsync();

        var build = await env.WaitForBuildAsync(1);
        Assert.Equal("before-the-crash", build.Trigger!.DeliveryId);
    }

    private static string PullRequest(int number, string head, string baseSha, string headRepo) => $$"""
        {
          "action": "opened", "number": {{number}},
          "pull_request": {
            "number": {{number}}, "state": "open", "title": "Work", "user": { "login": "contributor" },
            "head": { "ref": "feature", "sha": "{{head}}", "repo": { "full_name": "{{headRepo}}" } },
            "base": { "ref": "main", "sha": "{{baseSha}}", "repo": { "full_name": "acme/app" } }
          },
          "repository": { "full_name": "acme/app", "html_url": "https://github.com/acme/app", "clone_url": "https://github.com/acme/app.git", "ssh_url": "git@github.com:acme/app.git" },
          "sender": { "login": "contributor" }
        }
        """;
}
