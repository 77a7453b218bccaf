using System.Net;
using System.Security.Cryptography;
using Kiln.Core.Triggers;
using Kiln.Server.Webhooks;

namespace Kiln.Server.Tests.Webhooks;

/// <summary>Every committed delivery (from the forges' docs and real deliveries, see Payloads/README.md), read
/// by its provider: the delivery id and event from its headers, and what its payload asks for, including
/// the fields real deliveries leave null or out. Then each one sent to a real server, signed as its forge
/// signs, gets the answer its kind should.</summary>
public sealed class PayloadFixtureTests
{
    /// <summary>(provider, fixture, "delivery event: what it asks for"), one trigger as
    /// "event ref commit by actor branch tag before [pr base fork] repo msg".</summary>
    public static TheoryData<string, string, string> Expected => new()
    {
        { "bitbucket", "pullrequest-created", "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a00 pullrequest:created: pull_request refs/heads/foo a72355f35fde by stephenc branch=foo tag= before=f612156eff2c pr=1 base=master fork=False repo=bitbucket.org/cloudbeers/temp,bitbucket.org/cloudbeers/temp msg=README.md edited online with Bitbucket" },
        { "bitbucket", "pullrequest-updated", "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a01 pullrequest:updated: pull_request refs/heads/master 63e3d18dca4c by stephenc branch=master tag= before=1986c2284946 pr=3 base=master fork=True repo=bitbucket.org/cloudbeers/temp,bitbucket.org/cloudbeers/temp msg=Forking for PR" },
        { "bitbucket", "repo-push", "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a02 repo:push: push refs/heads/master e42fac24456e by stephenc branch=master tag= before=501bf5b99365 repo=bitbucket.org/cloudbeers/temp,bitbucket.org/cloudbeers/temp msg=Jenkinsfile created online with Bitbucket" },
        { "bitbucket", "repo-push-delete", "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a03 repo:push: ignored: every branch or tag pushed was deleted" },
        { "gitea", "create", "f6266f16-1bf3-46a5-9ea4-602e06ead400 create: ignored: Gitea event 'create' builds nothing (the push event builds new refs)" },
        { "gitea", "create-tag", "f6266f16-1bf3-46a5-9ea4-602e06ead401 create: ignored: Gitea event 'create' builds nothing (the push event builds new refs)" },
        { "gitea", "delete", "f6266f16-1bf3-46a5-9ea4-602e06ead402 delete: ignored: Gitea event 'delete' builds nothing (the push event builds new refs)" },
        { "gitea", "pull_request-closed", "f6266f16-1bf3-46a5-9ea4-602e06ead403 pull_request: ignored: pull request action 'closed' builds nothing (opened, synchronized and reopened do)" },
        { "gitea", "pull_request-opened", "f6266f16-1bf3-46a5-9ea4-602e06ead404 pull_request: pull_request refs/pull/1/head d555a5dd07f4 by anbraten branch=anbraten-patch-1 tag= before=068aee163ffd pr=1 base=main fork=False repo=gitea.com/anbraten/test-repo,gitea.com/anbraten/test-repo,gitea.com/anbraten/test-repo msg=" },
        { "gitea", "pull_request-synchronized", "f6266f16-1bf3-46a5-9ea4-602e06ead405 pull_request: pull_request refs/pull/1/head 5f4a3b2c1d0e by anbraten branch=anbraten-patch-1 tag= before=068aee163ffd pr=1 base=main fork=False repo=gitea.com/anbraten/test-repo,gitea.com/anbraten/test-repo,gitea.com/anbraten/test-repo msg=" },
        { "gitea", "push", "f6266f16-1bf3-46a5-9ea4-602e06ead406 push: push refs/heads/develop bffeb7422404 by gitea branch=develop tag= before=28e1879d029c repo=localhost/gitea/webhooks,localhost/gitea/webhooks,localhost/gitea/webhooks msg=Webhooks Yay!" },
        { "gitea", "push-tag", "f6266f16-1bf3-46a5-9ea4-602e06ead407 push: tag refs/tags/v1.0.0 bffeb7422404 by gitea branch= tag=v1.0.0 before=000000000000 repo=localhost/gitea/webhooks,localhost/gitea/webhooks,localhost/gitea/webhooks msg=" },
        { "github", "issues-opened", "72d3162e-cc78-11e3-81ab-4c9367dc0912 issues: ignored: GitHub event 'issues' builds nothing (push and pull_request do)" },
        { "github", "ping", "72d3162e-cc78-11e3-81ab-4c9367dc0911 ping: ping" },
        { "github", "pull_request-closed", "72d3162e-cc78-11e3-81ab-4c9367dc0908 pull_request: ignored: pull request action 'closed' builds nothing (opened, synchronize and reopened do)" },
        { "github", "pull_request-fork", "72d3162e-cc78-11e3-81ab-4c9367dc0910 pull_request: pull_request refs/pull/2/head ec26c3e57ca3 by Codertocat branch=changes tag= before=f95f852bd8fc pr=2 base=master fork=True repo=github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World msg=" },
        { "github", "pull_request-opened", "72d3162e-cc78-11e3-81ab-4c9367dc0906 pull_request: pull_request refs/pull/2/head ec26c3e57ca3 by Codertocat branch=changes tag= before=f95f852bd8fc pr=2 base=master fork=False repo=github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World msg=" },
        { "github", "pull_request-reopened", "72d3162e-cc78-11e3-81ab-4c9367dc0909 pull_request: pull_request refs/pull/2/head ec26c3e57ca3 by Codertocat branch=changes tag= before=f95f852bd8fc pr=2 base=master fork=False repo=github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World msg=" },
        { "github", "pull_request-synchronize", "72d3162e-cc78-11e3-81ab-4c9367dc0907 pull_request: pull_request refs/pull/2/head ec26c3e57ca3 by Codertocat branch=changes tag= before=f95f852bd8fc pr=2 base=master fork=False repo=github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World msg=" },
        { "github", "push", "72d3162e-cc78-11e3-81ab-4c9367dc0905 push: push refs/heads/master 6113728f27ae by Codertocat branch=master tag= before=f95f852bd8fc repo=github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World msg=Initial commit" },
        { "github", "push-delete", "72d3162e-cc78-11e3-81ab-4c9367dc0904 push: ignored: 'refs/heads/changes' was deleted" },
        { "github", "push-new-branch", "72d3162e-cc78-11e3-81ab-4c9367dc0902 push: push refs/heads/master 6113728f27ae by Codertocat branch=master tag= before=000000000000 repo=github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World msg=Initial commit" },
        { "github", "push-tag", "72d3162e-cc78-11e3-81ab-4c9367dc0901 push: tag refs/tags/simple-tag 6113728f27ae by Codertocat branch= tag=simple-tag before=000000000000 repo=github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World,github.com/Codertocat/Hello-World msg=Adding a .gitignore file" },
        { "github", "push-tag-delete", "72d3162e-cc78-11e3-81ab-4c9367dc0903 push: ignored: 'refs/tags/simple-tag' was deleted" },
        { "github", "star-created", "72d3162e-cc78-11e3-81ab-4c9367dc0913 star: ignored: GitHub event 'star' builds nothing (push and pull_request do)" },
        { "gitlab", "issue-open", "a5461c4d-9c7f-4af9-add6-cddebe3c4200 Issue Hook: ignored: GitLab event 'Issue Hook' builds nothing (Push Hook, Tag Push Hook and Merge Request Hook do)" },
        { "gitlab", "merge-request-close", "a5461c4d-9c7f-4af9-add6-cddebe3c4201 Merge Request Hook: ignored: merge request action 'close' builds nothing (open, reopen and update with new commits do)" },
        { "gitlab", "merge-request-open", "a5461c4d-9c7f-4af9-add6-cddebe3c4202 Merge Request Hook: pull_request refs/merge-requests/1/head da1560886d4f by root branch=ms-viewport tag= before= pr=1 base=master fork=False repo=example.com/gitlabhq/gitlab-test,example.com/gitlabhq/gitlab-test,example.com/gitlabhq/gitlab-test msg=fixed readme" },
        { "gitlab", "merge-request-update", "a5461c4d-9c7f-4af9-add6-cddebe3c4203 Merge Request Hook: pull_request refs/merge-requests/1/head da1560886d4f by root branch=ms-viewport tag= before=95790bf891e7 pr=1 base=master fork=False repo=example.com/gitlabhq/gitlab-test,example.com/gitlabhq/gitlab-test,example.com/gitlabhq/gitlab-test msg=fixed readme" },
        { "gitlab", "note-merge-request", "a5461c4d-9c7f-4af9-add6-cddebe3c4204 Note Hook: ignored: GitLab event 'Note Hook' builds nothing (Push Hook, Tag Push Hook and Merge Request Hook do)" },
        { "gitlab", "push", "a5461c4d-9c7f-4af9-add6-cddebe3c4205 Push Hook: push refs/heads/master da1560886d4f by jsmith branch=master tag= before=95790bf891e7 repo=example.com/mike/diaspora,example.com/mike/diaspora,example.com/mike/diaspora msg=fixed readme" },
        { "gitlab", "push-delete", "a5461c4d-9c7f-4af9-add6-cddebe3c4206 Push Hook: ignored: 'refs/heads/master' was deleted" },
        { "gitlab", "tag-push", "a5461c4d-9c7f-4af9-add6-cddebe3c4207 Tag Push Hook: tag refs/tags/v1.0.0 82b3d5ae55f7 by unknown branch= tag=v1.0.0 before=000000000000 repo=example.com/jsmith/example,example.com/jsmith/example,example.com/jsmith/example msg=" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_fixture_reads_as_its_forge_documents_it(string provider, string name, string expected)
    {
        var fixture = PayloadFixture.Load(provider, name);

        Assert.Equal(expected, Describe(Provider(provider), fixture));
    }

    [Fact]
    public void Every_fixture_has_an_expectation()
    {
        var expected = Expected.Select(row => ((string)row[0], (string)row[1])).ToHashSet();

        Assert.Equal(PayloadFixture.All().ToHashSet(), expected);
    }

    [Fact]
    public async Task Each_fixture_signed_as_its_forge_signs_gets_the_answer_of_its_kind()
    {
        await using var env = await HookEnv.StartAsync("jobs:\n  build:\n    steps:\n      - run: \"true\"\n");
        foreach (var row in Expected)
        {
            var (provider, name, expected) = ((string)row[0], (string)row[1], (string)row[2]);
            var fixture = PayloadFixture.Load(provider, name);
            var headers = fixture.Headers.ToDictionary(h => h.Key, h => (string?)h.Value.ToString());
            var mac = HookSender.Hmac(HookEnv.Secret, fixture.Body);
            (provider switch
            {
                "github" => () => headers["X-Hub-Signature-256"] = "sha256=" + mac,
                "gitlab" => () => headers["X-Gitlab-Token"] = HookEnv.Secret,
                "gitea" => () => headers["X-Gitea-Signature"] = mac,
                _ => (Action)(() => headers["X-Hub-Signature"] = "sha256=" + mac),
            })();

            using var response = await env.Hooks.SendAsync(provider, fixture.Body, headers);

            var kind = expected[(expected.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split(' ')[0];
            var (status, answer) = kind switch
            {
                "ping" => (HttpStatusCode.OK, "ping"),
                "ignored:" => (HttpStatusCode.Accepted, "ignored"),
                _ => (HttpStatusCode.Accepted, "accepted"),
            };
            Assert.True(status == response.StatusCode, $"{provider}/{name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(answer, (await HookSender.AnswerAsync(response)).Status);
        }
    }

    [Fact]
    public async Task A_gitlab_signing_token_delivery_is_verified_by_its_standard_webhooks_signature()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var token = StandardWebhookSignature.KeyPrefix + Convert.ToBase64String(key);
        await using var env = await HookEnv.StartWithSecretAsync("jobs:\n  build:\n    steps:\n      - run: \"true\"\n", token);
        var fixture = PayloadFixture.Load("gitlab", "push");
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Dictionary<string, string?> Signed(string id, string timestamp, byte[] signingKey) => new()
        {
            ["X-Gitlab-Event"] = "Push Hook",
            ["webhook-id"] = id,
            ["Idempotency-Key"] = id,
            ["webhook-timestamp"] = timestamp,
            ["webhook-signature"] = "v1,AAAA v1," + Convert.ToBase64String(HMACSHA256.HashData(signingKey, (byte[])[.. System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. fixture.Body])),
        };

        using var good = await env.Hooks.SendAsync("gitlab", fixture.Body, Signed("msg_1", now, key));
        using var wrongKey = await env.Hooks.SendAsync("gitlab", fixture.Body, Signed("msg_2", now, RandomNumberGenerator.GetBytes(32)));
        using var stale = await env.Hooks.SendAsync("gitlab", fixture.Body, Signed("msg_3", (long.Parse(now, System.Globalization.CultureInfo.InvariantCulture) - 600).ToString(System.Globalization.CultureInfo.InvariantCulture), key));
        var replayed = Signed("msg_4", now, key);
        replayed["webhook-id"] = "msg_5";
        using var otherId = await env.Hooks.SendAsync("gitlab", fixture.Body, replayed);

        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        Assert.Equal("msg_1", (await HookSender.AnswerAsync(good)).Delivery);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Contains("webhook-timestamp", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, otherId.StatusCode);
    }

    internal static IWebhookProvider Provider(string name) => name switch
    {
        "github" => new GitHubWebhooks(),
        "gitlab" => new GitLabWebhooks(TimeProvider.System),
        "gitea" => new GiteaWebhooks(),
        "bitbucket" => new BitbucketWebhooks(),
        _ => new GenericWebhooks(),
    };

    private static string Describe(IWebhookProvider hooks, PayloadFixture fixture)
    {
        var head = $"{hooks.DeliveryId(fixture.Headers)} {hooks.EventName(fixture.Headers)}: ";
        var payload = hooks.Parse(hooks.EventName(fixture.Headers)!, fixture.Body);
        return head + (payload switch
        {
            { Ping: true } => "ping",
            { Ignored: { } reason } => "ignored: " + reason,
            { Invalid: { } reason } => "invalid: " + reason,
            _ => string.Join(" | ", payload.Triggers.Select(Describe)),
        });
    }

    private static string Describe(ForgeTrigger t) =>
        $"{t.Event.ToWire()} {t.Ref} {t.Commit[..Math.Min(12, t.Commit.Length)]} by {t.Actor} branch={t.Branch} tag={t.Tag} before={t.Before?[..Math.Min(12, t.Before.Length)]}"
        + (t.PullRequest is { } pr ? $" pr={pr} base={t.BaseBranch} fork={t.FromFork}" : "")
        + $" repo={string.Join(",", t.Repositories)} msg={t.Message?.Split('\n')[0]}";
}
