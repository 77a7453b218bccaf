using System.Text.Json;
using Kiln.Contracts.Api;
using Kiln.Server.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Kiln.Server.Projects;

/// <summary>What a <c>PATCH /api/v1/projects/{project}</c> changes. The body is a JSON merge patch
/// (RFC 7396): a field left out stays as it is. Only <c>maxRunningBuilds</c> may be null (no limit), so
/// it alone carries whether it was given apart from its value; a null elsewhere is refused. <c>Pipeline</c>
/// is only read here: whether the project may take it, and whether it is valid, the service decides.</summary>
public sealed record ProjectPatch(string? DefaultBranch, int? CooldownSeconds, bool SetsMaxRunningBuilds, int? MaxRunningBuilds, int? Weight, string? Pipeline = null)
{
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
        string? branch = null, pipeline = null;
        int? cooldown = null, limit = null, weight = null;
        var setsLimit = false;
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

            var value = field.Value;
            switch (name)
            {
                case ProjectPatchFields.DefaultBranch when value.ValueKind == JsonValueKind.String:
                    branch = value.GetString()!.Trim();
                    Add(invalid, ProjectSettings.CheckDefaultBranch(branch));
                    break;
                case ProjectPatchFields.DefaultBranch:
                    malformed.Add($"'defaultBranch' must be a string (a branch name); got {JsonBody.Describe(value)}.");
                    break;
                case ProjectPatchFields.MaxRunningBuilds when value.ValueKind == JsonValueKind.Null:
                    setsLimit = true;
                    break;
                case ProjectPatchFields.MaxRunningBuilds:
                    setsLimit = true;
                    limit = WholeNumber(name, value, malformed, "a whole number, or null for no limit");
                    Add(invalid, ProjectSettings.CheckMaxRunningBuilds(limit));
                    break;
                case ProjectPatchFields.CooldownSeconds:
                    cooldown = WholeNumber(name, value, malformed, "a whole number of seconds");
                    Add(invalid, cooldown is { } c ? ProjectSettings.CheckCooldownSeconds(c) : null);
                    break;
                case ProjectPatchFields.Weight:
                    weight = WholeNumber(name, value, malformed, "a whole number");
                    Add(invalid, weight is { } w ? ProjectSettings.CheckWeight(w) : null);
                    break;
                case ProjectPatchFields.Pipeline when value.ValueKind == JsonValueKind.String:
                    pipeline = value.GetString();
                    break;
                case ProjectPatchFields.Pipeline:
                    malformed.Add($"'pipeline' must be a string (the YAML of a task-only project); got {JsonBody.Describe(value)}.");
                    break;
            }
        }

        if (malformed.Count > 0)
        {
            return (null, Problems.BadRequest(string.Join(" ", malformed), malformed.Count > 1 ? malformed : null));
        }

        if (invalid.Count > 0)
        {
            return (null, Problems.Invalid(string.Join(" ", invalid), invalid.Count > 1 ? invalid : null));
        }

        return (new ProjectPatch(branch, cooldown, setsLimit, limit, weight, pipeline), null);
    }

    private static int? WholeNumber(string name, JsonElement value, List<string> malformed, string expected)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        malformed.Add($"'{name}' must be {expected}; got {JsonBody.Describe(value)}.");
        return null;
    }

    private static string Unknown(string field)
    {
        var allowed = string.Join(", ", ProjectPatchFields.All);
        // The resource's other fields are known, just not writable: say so rather than "unknown".
        return field.ToLowerInvariant() is "name" or "repo" or "lastbuild" or "createdat"
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
}
