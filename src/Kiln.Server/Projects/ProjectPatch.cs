using System.Text.Json;
using Kiln.Contracts.Api;
using Kiln.Core.Triggers;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Projects;

/// <summary>A value a patch sets, which may be null (the setting is removed); a patch's <c>Set&lt;T&gt;?</c>
/// field that is itself null was not given.</summary>
public readonly record struct Set<T>(T Value);

/// <summary>What a <c>PATCH /api/v1/projects/{project}</c> changes. The body is a JSON merge patch
/// (RFC 7396): a field left out (null here) stays as it is. The fields that may be null in the body, to
/// remove the setting, are <see cref="Set{T}"/>, so "given as null" is apart from "not given". <c>Pipeline</c> is only read here: whether the project may take it, and whether it is
/// valid, the service decides.</summary>
public sealed record ProjectPatch
{
    public string? DefaultBranch { get; init; }
    public int? CooldownSeconds { get; init; }
    public Set<int?>? MaxRunningBuilds { get; init; }
    public int? Weight { get; init; }
    public string? Pipeline { get; init; }
    public Set<string?>? WebhookSecret { get; init; }
    public Set<IReadOnlyList<string>?>? AllowedActors { get; init; }
    public ForkPolicy? ForkPullRequests { get; init; }
    public Set<int?>? PollIntervalSeconds { get; init; }
    public Set<Forge?>? Forge { get; init; }
    public Set<string?>? ForgeApiUrl { get; init; }
    public Set<string?>? StatusToken { get; init; }
    public bool? StatusPerJob { get; init; }
    public bool? PullRequestComments { get; init; }

    /// <summary>Reads the body. The body itself or a field that is malformed (not JSON, not an object, an
    /// unknown field, a value of the wrong type) is a 400; a value out of range is a 422. Every problem is
    /// reported at once, each naming its field.</summary>
    public static async Task<(ProjectPatch? Patch, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request, "The body must be a JSON object of the settings to change, such as {\"weight\": 2}", cancellationToken);
        if (body is not { } json)
        {
            return (null, problem);
        }

        return Parse(json);
    }

    private static (ProjectPatch?, ProblemHttpResult?) Parse(JsonElement body)
    {
        var malformed = new List<string>();
        var invalid = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var patch = new ProjectPatch();
        foreach (var field in body.EnumerateObject())
        {
            // Case-insensitive like the POST body's binding (JSON web defaults), so both accept the same spelling.
            var name = ProjectPatchFields.All.FirstOrDefault(f => string.Equals(f, field.Name, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                malformed.Add(Unknown(field.Name));
                continue;
            }

            if (!seen.Add(name))
            {
                malformed.Add($"'{name}' is given more than once.");
                continue;
            }

            // A null where none is allowed is reported by the field's reader, as a value of the wrong type.
            patch = Apply(patch, name, new FieldValue(name, field.Value, malformed), invalid);
        }

        if (malformed.Count > 0)
        {
            return (null, Problems.BadRequest(string.Join(" ", malformed), malformed.Count > 1 ? malformed : null));
        }

        if (invalid.Count > 0)
        {
            return (null, Problems.Invalid(string.Join(" ", invalid), invalid.Count > 1 ? invalid : null));
        }

        return (patch, null);
    }

    private static ProjectPatch Apply(ProjectPatch patch, string name, FieldValue value, List<string> invalid)
    {
        switch (name)
        {
            case ProjectPatchFields.DefaultBranch when value.String("a string (a branch name)") is { } branch:
                Add(invalid, ProjectSettings.CheckDefaultBranch(branch.Trim()));
                return patch with { DefaultBranch = branch.Trim() };
            case ProjectPatchFields.CooldownSeconds when value.WholeNumber("a whole number of seconds") is { } cooldown:
                Add(invalid, ProjectSettings.CheckCooldownSeconds(cooldown));
                return patch with { CooldownSeconds = cooldown };
            case ProjectPatchFields.MaxRunningBuilds when value.IsNull:
                return patch with { MaxRunningBuilds = new(null) };
            case ProjectPatchFields.MaxRunningBuilds when value.WholeNumber("a whole number, or null for no limit") is { } limit:
                Add(invalid, ProjectSettings.CheckMaxRunningBuilds(limit));
                return patch with { MaxRunningBuilds = new(limit) };
            case ProjectPatchFields.Weight when value.WholeNumber("a whole number") is { } weight:
                Add(invalid, ProjectSettings.CheckWeight(weight));
                return patch with { Weight = weight };
            case ProjectPatchFields.Pipeline when value.String("a string (the YAML of a task-only project)") is { } pipeline:
                return patch with { Pipeline = pipeline };
            case ProjectPatchFields.WebhookSecret:
                return patch with { WebhookSecret = new(Checked(value.NullableString("a string, or null to remove it"), ProjectSettings.CheckWebhookSecret, invalid)) };
            case ProjectPatchFields.AllowedActors when value.IsNull:
                return patch with { AllowedActors = new(null) };
            case ProjectPatchFields.AllowedActors when value.StringList("an array of forge user names, or null for anyone") is { } actors:
                Add(invalid, ProjectSettings.CheckAllowedActors(actors));
                return patch with { AllowedActors = new(actors) };
            case ProjectPatchFields.ForkPullRequests when value.String("one of " + string.Join(", ", ForkPolicies.Names)) is { } text:
                Add(invalid, ProjectSettings.CheckForkPullRequests(text, out var policy));
                return patch with { ForkPullRequests = policy };
            case ProjectPatchFields.PollInterval when value.IsNull:
                return patch with { PollIntervalSeconds = new(null) };
            case ProjectPatchFields.PollInterval when value.String("a duration such as \"5m\", or null for no polling") is { } text:
                Add(invalid, ProjectSettings.CheckPollInterval(text, out var seconds));
                return patch with { PollIntervalSeconds = new(seconds) };
            case ProjectPatchFields.Forge when value.IsNull:
                return patch with { Forge = new(null) };
            case ProjectPatchFields.Forge when value.String("one of github, gitlab, gitea, bitbucket, or null") is { } text:
                Add(invalid, ProjectSettings.CheckForge(text, out var forge));
                return patch with { Forge = new(forge) };
            case ProjectPatchFields.ForgeApiUrl:
                return patch with { ForgeApiUrl = new(Checked(value.NullableString("an http(s) URL, or null"), ProjectSettings.CheckForgeApiUrl, invalid)) };
            case ProjectPatchFields.StatusToken:
                return patch with { StatusToken = new(Checked(value.NullableString("a string, or null to remove it"), ProjectSettings.CheckStatusToken, invalid)) };
            case ProjectPatchFields.StatusPerJob when value.Bool() is { } perJob:
                return patch with { StatusPerJob = perJob };
            case ProjectPatchFields.PullRequestComments when value.Bool() is { } comments:
                return patch with { PullRequestComments = comments };
            default:
                // The value was malformed, and FieldValue said so.
                return patch;
        }
    }

    private static string? Checked(string? value, Func<string, string?> check, List<string> invalid)
    {
        if (value is not null)
        {
            Add(invalid, check(value));
        }

        return value;
    }

    private static string Unknown(string field)
    {
        var allowed = string.Join(", ", ProjectPatchFields.All);
        // The resource's other fields are known, just not writable: say so rather than "unknown".
        return field.ToLowerInvariant() is "name" or "repo" or "lastbuild" or "createdat" or "triggers"
            ? $"'{field}' cannot be changed with PATCH; a patch may set {allowed}."
            : $"'{field}' is not a project setting; a patch may set {allowed}.";
    }

    private static void Add(List<string> problems, string? problem)
    {
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }

    /// <summary>One field's JSON value, read as the type its setting needs; a value of another type is
    /// reported as malformed, naming the field and what it must be.</summary>
    private readonly record struct FieldValue(string Name, JsonElement Json, List<string> Malformed)
    {
        public bool IsNull => Json.ValueKind == JsonValueKind.Null;

        public string? String(string expected) => Json.ValueKind == JsonValueKind.String ? Json.GetString() : Fail<string>(expected);

        public string? NullableString(string expected) => IsNull ? null : String(expected);

        public int? WholeNumber(string expected) =>
            Json.ValueKind == JsonValueKind.Number && Json.TryGetInt32(out var number) ? number : Fail<int?>(expected);

        public bool? Bool() => Json.ValueKind is JsonValueKind.True or JsonValueKind.False ? Json.GetBoolean() : Fail<bool?>("true or false");

        public IReadOnlyList<string>? StringList(string expected) =>
            Json.ValueKind == JsonValueKind.Array && Json.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                ? [.. Json.EnumerateArray().Select(e => e.GetString()!)]
                : Fail<IReadOnlyList<string>>(expected);

        /// <summary>Reports the field as malformed; the default (null) stands for its value.</summary>
        private T? Fail<T>(string expected)
        {
            Malformed.Add($"'{Name}' must be {expected}; got {JsonBody.Describe(Json)}.");
            return default;
        }
    }
}
