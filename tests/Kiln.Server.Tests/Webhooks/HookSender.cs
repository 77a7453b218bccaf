using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.Server.Tests.Webhooks;

/// <summary>Sends deliveries the way each forge does: its event and delivery headers, and its signature of
/// the raw body (or its token).</summary>
internal sealed class HookSender(HttpClient http, string project, string secret)
{
    public string Secret => secret;

    public static string Hmac(string key, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));

    public Task<HttpResponseMessage> GitHubAsync(string eventName, string body, string? delivery = null, string? signWith = null) =>
        SendAsync("github", body, new()
        {
            ["X-GitHub-Event"] = eventName,
            ["X-GitHub-Delivery"] = delivery ?? Guid.NewGuid().ToString(),
            ["X-Hub-Signature-256"] = "sha256=" + Hmac(signWith ?? secret, Encoding.UTF8.GetBytes(body)),
        });

    public Task<HttpResponseMessage> GitLabAsync(string eventName, string body, string? token = null) =>
        SendAsync("gitlab", body, new()
        {
            ["X-Gitlab-Event"] = eventName,
            ["X-Gitlab-Event-UUID"] = Guid.NewGuid().ToString(),
            ["X-Gitlab-Token"] = token ?? secret,
        });

    public Task<HttpResponseMessage> GiteaAsync(string eventName, string body) =>
        SendAsync("gitea", body, new()
        {
            ["X-Gitea-Event"] = eventName,
            ["X-Gitea-Delivery"] = Guid.NewGuid().ToString(),
            ["X-Gitea-Signature"] = Hmac(secret, Encoding.UTF8.GetBytes(body)),
        });

    public Task<HttpResponseMessage> BitbucketAsync(string eventKey, string body) =>
        SendAsync("bitbucket", body, new()
        {
            ["X-Event-Key"] = eventKey,
            ["X-Request-UUID"] = Guid.NewGuid().ToString(),
            ["X-Hub-Signature"] = "sha256=" + Hmac(secret, Encoding.UTF8.GetBytes(body)),
        });

    public Task<HttpResponseMessage> GenericAsync(string body, string? delivery = null, bool bearer = false) =>
        SendAsync("generic", body, bearer
            ? new() { ["Authorization"] = "Bearer " + secret }
            : new() { ["X-Kiln-Signature-256"] = "sha256=" + Hmac(secret, Encoding.UTF8.GetBytes(body)), ["X-Kiln-Delivery"] = delivery });

    public async Task<HttpResponseMessage> SendAsync(string provider, string body, Dictionary<string, string?> headers) =>
        await SendAsync(provider, Encoding.UTF8.GetBytes(body), headers);

    public async Task<HttpResponseMessage> SendAsync(string provider, byte[] body, Dictionary<string, string?> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"hooks/{provider}/{project}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            if (value is not null)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await http.SendAsync(request);
    }

    public static async Task<WebhookResponse> AnswerAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), KilnJsonContext.Default.WebhookResponse)!;

    /// <summary>A GitHub push of <paramref name="after"/> to <paramref name="branch"/>, as GitHub shapes it.</summary>
    public static string GitHubPush(string branch, string before, string after, string sender = "octocat", string message = "a change", string repo = "acme/app") => $$"""
        {
          "ref": "refs/heads/{{branch}}", "before": "{{before}}", "after": "{{after}}",
          "created": false, "deleted": false, "forced": false, "base_ref": null, "compare": "https://github.com/{{repo}}/compare",
          "commits": [{ "id": "{{after}}", "message": {{JsonSerializer.Serialize(message)}}, "added": [], "removed": [], "modified": [] }],
          "head_commit": { "id": "{{after}}", "message": {{JsonSerializer.Serialize(message)}} },
          "repository": { "id": 1, "name": "app", "full_name": "{{repo}}", "html_url": "https://github.com/{{repo}}",
            "clone_url": "https://github.com/{{repo}}.git", "ssh_url": "git@github.com:{{repo}}.git", "default_branch": "main" },
          "pusher": { "name": "{{sender}}", "email": null },
          "sender": { "login": "{{sender}}", "id": 1, "type": "User" }
        }
        """;
}
