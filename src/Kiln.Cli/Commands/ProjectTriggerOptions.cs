using System.CommandLine;
using System.Text.Json.Nodes;
using Kiln.Contracts.Api;

namespace Kiln.Cli.Commands;

/// <summary>The trigger settings' flags of <c>kiln project add|update</c>: the kebab-case of the API field.
/// On <c>update</c>, <c>none</c> removes a setting that may be removed; a secret given as <c>-</c> is read
/// from standard input, so it stays out of the shell history and the process list.</summary>
internal sealed class ProjectTriggerOptions
{
    private readonly Option<string?> webhookSecret = new("--webhook-secret") { Description = "Secret the forge signs webhooks with ('-': read from stdin; 'none': remove)" };
    private readonly Option<string?> allowedActors = new("--allowed-actors") { Description = "Comma-separated forge users whose pushes and pull requests build ('none': anyone)" };
    private readonly Option<string?> forkPullRequests = new("--fork-pull-requests") { Description = "Pull requests from forks: build-without-secrets, require-approval or skip" };
    private readonly Option<string?> pollInterval = new("--poll-interval") { Description = "Poll the repository for new commits this often, e.g. 5m ('none': no polling)" };
    private readonly Option<string?> forge = new("--forge") { Description = "github, gitlab, gitea or bitbucket, for commit statuses and hooks ('none': from the repository URL)" };
    private readonly Option<string?> forgeApiUrl = new("--forge-api-url") { Description = "The forge's API base URL, for a self-hosted forge ('none': the default)" };
    private readonly Option<string?> statusToken = new("--status-token") { Description = "Forge token for commit statuses and hooks ('-': read from stdin; 'none': remove)" };
    private readonly Option<bool?> statusPerJob = new("--status-per-job") { Description = "One commit status per job instead of one per pipeline (true/false)" };
    private readonly Option<bool?> pullRequestComments = new("--pull-request-comments") { Description = "One pull-request comment per build, edited as it runs (true/false)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { webhookSecret, allowedActors, forkPullRequests, pollInterval, forge, forgeApiUrl, statusToken, statusPerJob, pullRequestComments })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The flags given, as merge-patch members (<c>none</c> as null).</summary>
    public async Task AddToPatchAsync(ParseResult parse, JsonObject patch, TextReader stdin, CancellationToken ct)
    {
        if (await SecretAsync(parse.GetValue(webhookSecret), stdin, ct) is { } secret)
        {
            patch[ProjectPatchFields.WebhookSecret] = NoneAsNull(secret);
        }

        if (parse.GetValue(allowedActors) is { } actors)
        {
            patch[ProjectPatchFields.AllowedActors] = IsNone(actors) ? null : new JsonArray([.. SplitList(actors).Select(a => JsonValue.Create(a))]);
        }

        Put(patch, ProjectPatchFields.ForkPullRequests, parse.GetValue(forkPullRequests), removable: false);
        Put(patch, ProjectPatchFields.PollInterval, parse.GetValue(pollInterval), removable: true);
        Put(patch, ProjectPatchFields.Forge, parse.GetValue(forge), removable: true);
        Put(patch, ProjectPatchFields.ForgeApiUrl, parse.GetValue(forgeApiUrl), removable: true);
        if (await SecretAsync(parse.GetValue(statusToken), stdin, ct) is { } token)
        {
            patch[ProjectPatchFields.StatusToken] = NoneAsNull(token);
        }

        if (parse.GetValue(statusPerJob) is { } perJob)
        {
            patch[ProjectPatchFields.StatusPerJob] = perJob;
        }

        if (parse.GetValue(pullRequestComments) is { } comments)
        {
            patch[ProjectPatchFields.PullRequestComments] = comments;
        }
    }

    /// <summary>The create request with the flags given.</summary>
    public async Task<CreateProjectRequest> AddToRequestAsync(ParseResult parse, CreateProjectRequest request, TextReader stdin, CancellationToken ct) => request with
    {
        WebhookSecret = await SecretAsync(parse.GetValue(webhookSecret), stdin, ct),
        AllowedActors = parse.GetValue(allowedActors) is { } actors ? SplitList(actors) : null,
        ForkPullRequests = parse.GetValue(forkPullRequests),
        PollInterval = parse.GetValue(pollInterval),
        Forge = parse.GetValue(forge),
        ForgeApiUrl = parse.GetValue(forgeApiUrl),
        StatusToken = await SecretAsync(parse.GetValue(statusToken), stdin, ct),
        StatusPerJob = parse.GetValue(statusPerJob),
        PullRequestComments = parse.GetValue(pullRequestComments),
    };

    private static void Put(JsonObject patch, string field, string? value, bool removable)
    {
        if (value is not null)
        {
            patch[field] = removable && IsNone(value) ? null : value;
        }
    }

    private static async Task<string?> SecretAsync(string? value, TextReader stdin, CancellationToken ct) =>
        value == "-" ? (await stdin.ReadToEndAsync(ct)).TrimEnd('\r', '\n') : value;

    private static JsonNode? NoneAsNull(string value) => IsNone(value) ? null : value;

    private static bool IsNone(string value) => string.Equals(value, "none", StringComparison.OrdinalIgnoreCase);

    private static List<string> SplitList(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
