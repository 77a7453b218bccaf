using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Reads the loaded YAML nodes into drafts, reporting every problem it meets and carrying on, so
/// one run finds them all. Which keys exist, and who reads them, is in <see cref="PipelineKeys"/>;
/// this file has the reading of the whole document and of plain values, the other parts of the
/// class the sections of the language.
/// </summary>
internal sealed partial class PipelineReader(ErrorList errors)
{
    public const int MaxJobIdLength = 100;
    public const int MaxDefaultStepNameLength = 80;

    /// <summary>Where errors go; a discarding list while a template's keys are read again for a job.</summary>
    public ErrorList Errors { get; private set; } = errors;

    /// <summary>Reads the whole document; null when it is empty or not a mapping.</summary>
    public PipelineDraft? ReadPipeline(YamlValue? root, Func<string, string?>? includeResolver)
    {
        if (root is null or YamlScalar { IsNull: true })
        {
            Errors.Add(new SourceLocation(1, 1), "the pipeline is empty; it needs a 'jobs' mapping");
            return null;
        }

        if (root is not YamlMapping mapping)
        {
            Errors.Add(root.Location, $"the pipeline must be a mapping with a 'jobs' key, not a {root.KindName}");
            return null;
        }

        var draft = new PipelineDraft();
        ReadMapping(mapping, PipelineKeys.TopLevel, draft, path: null, where: "at the top level");
        var templates = new TemplateResolver(this, includeResolver);
        templates.Load(draft.Include, draft.Templates);
        if (draft.JobsNode is { } jobs)
        {
            draft.Jobs = ReadJobs(jobs, "jobs", templates);
        }
        else
        {
            Errors.Add(mapping.Location, "the pipeline has no 'jobs' mapping", hint: "add 'jobs:' with at least one job");
        }

        return draft;
    }

    /// <summary>
    /// Reads each entry with the table's reader; reports unknown keys with a hint. Entries whose key
    /// is not in <paramref name="ownKeys"/> (when given) came from a template that was checked on its
    /// own: they are read for their values, their errors already reported.
    /// </summary>
    public void ReadMapping<TDraft>(YamlMapping mapping, KeyTable<TDraft> table, TDraft draft, string? path, string where, HashSet<YamlScalar>? ownKeys = null)
    {
        foreach (var (key, value) in mapping.Entries)
        {
            var saved = Errors;
            if (ownKeys is not null && !ownKeys.Contains(key))
            {
                Errors = new ErrorList("");
            }

            var keyPath = Join(path, key.Value);
            if (!table.TryGet(key.Value, out var reader))
            {
                Errors.Add(key.Location, $"unknown key '{key.Value}' {where}", keyPath, NameSuggester.Hint(key.Value, table.Names));
            }
            else
            {
                reader?.Invoke(this, key, value, keyPath, draft);
            }

            Errors = saved;
        }
    }

    /// <summary>Reads a mapping that may hold no keys at all; reports any key it has.</summary>
    public void ReadEmptyMapping(YamlMapping mapping, string path, string where) =>
        ReadMapping(mapping, PipelineKeys.NoKeys, [], path, where);

    public Dictionary<string, string> ReadEnv(YamlValue value, string path)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is YamlScalar { IsNull: true })
        {
            return env;
        }

        if (value is not YamlMapping mapping)
        {
            Errors.Add(value.Location, $"'env' must be a mapping of NAME: value, not a {value.KindName}", path);
            return env;
        }

        foreach (var (key, item) in mapping.Entries)
        {
            var itemPath = $"{path}.{key.Value}";
            if (!IsEnvName(key.Value))
            {
                Errors.Add(
                    key.Location,
                    $"'{key.Value}' is not a valid environment variable name",
                    itemPath,
                    "use letters, digits and '_', not starting with a digit");
            }
            else if (item is not YamlScalar scalar)
            {
                Errors.Add(item.Location, $"the value of '{key.Value}' must be a string, number or boolean, not a {item.KindName}", itemPath);
            }
            else
            {
                env[key.Value] = scalar.Value;
            }
        }

        return env;
    }

    public TimeSpan? ReadTimeout(YamlValue value, string path) => ReadDuration(value, path, "timeout");

    public TimeSpan? ReadDuration(YamlValue value, string path, string key)
    {
        var text = value is YamlScalar scalar ? scalar.Value : value.KindName;
        if (!DurationParser.TryParse(text, out var duration))
        {
            Errors.Add(value.Location, $"'{key}' must be a duration like 90s, 20m or 1h, not '{text}'", path);
            return null;
        }

        if (duration <= TimeSpan.Zero)
        {
            Errors.Add(value.Location, $"'{key}' must be longer than zero, not '{text}'", path);
            return null;
        }

        return duration;
    }

    /// <summary>A scalar as text; null (after reporting) when it is not a scalar or is empty.</summary>
    public string? ReadText(YamlValue value, string path, string key)
    {
        if (value is not YamlScalar scalar)
        {
            Errors.Add(value.Location, $"'{key}' must be a string, not a {value.KindName}", path);
            return null;
        }

        if (scalar.IsNull || string.IsNullOrWhiteSpace(scalar.Value))
        {
            Errors.Add(value.Location, $"'{key}' is empty", path);
            return null;
        }

        return scalar.Value;
    }

    /// <summary>A scalar as text, empty allowed (a null scalar is ""); null (after reporting) when it is not a scalar.</summary>
    public string? ReadValue(YamlValue value, string path, string key)
    {
        if (value is YamlScalar scalar)
        {
            return scalar.IsNull ? "" : scalar.Value;
        }

        Errors.Add(value.Location, $"'{key}' must be a string, number or boolean, not a {value.KindName}", path);
        return null;
    }

    /// <summary><c>true</c> or <c>false</c>, nothing else; null (after reporting) otherwise.</summary>
    public bool? ReadBool(YamlValue value, string path, string key)
    {
        switch (value)
        {
            case YamlScalar { Value: "true" }:
                return true;
            case YamlScalar { Value: "false" }:
                return false;
            default:
                var text = value is YamlScalar scalar ? $"'{scalar.Value}'" : $"a {value.KindName}";
                Errors.Add(value.Location, $"'{key}' must be true or false, not {text}", path);
                return null;
        }
    }

    /// <summary>
    /// A string or a list of strings, each non-empty unless <paramref name="allowEmptyItems"/>; the
    /// list may be empty only when <paramref name="allowEmpty"/>. Bad items are reported and left out.
    /// </summary>
    public List<YamlScalar> ReadScalarList(YamlValue value, string path, string key, bool allowEmpty = false, bool allowEmptyItems = false)
    {
        var items = new List<YamlScalar>();
        IReadOnlyList<YamlValue> nodes = value switch
        {
            YamlSequence sequence => sequence.Items,
            YamlScalar { IsNull: true } => [],
            _ => [value],
        };
        if (nodes.Count == 0 && !allowEmpty)
        {
            Errors.Add(value.Location, $"'{key}' is empty", path);
            return items;
        }

        foreach (var node in nodes)
        {
            if (node is not YamlScalar scalar)
            {
                Errors.Add(node.Location, $"'{key}' must be a string or a list of strings, not a {node.KindName}", path);
            }
            else if (!allowEmptyItems && (scalar.IsNull || string.IsNullOrWhiteSpace(scalar.Value)))
            {
                Errors.Add(node.Location, $"'{key}' holds an empty item", path);
            }
            else
            {
                items.Add(scalar);
            }
        }

        return items;
    }

    public List<string> ReadTextList(YamlValue value, string path, string key, bool allowEmpty = false, bool allowEmptyItems = false) =>
        ReadScalarList(value, path, key, allowEmpty, allowEmptyItems).Select(s => s.IsNull ? "" : s.Value).ToList();

    /// <summary>A path inside the workspace: relative, without '..' segments.</summary>
    public string? ReadRelativePath(YamlValue value, string path, string key)
    {
        var text = ReadText(value, path, key);
        return text is not null && CheckRelativePath(text, value.Location, path, key) ? text : null;
    }

    /// <summary>Paths inside the workspace (globs allowed), one or a list, not none.</summary>
    public List<string> ReadPathList(YamlValue value, string path, string key) =>
        ReadScalarList(value, path, key)
            .Where(s => CheckRelativePath(s.Value, s.Location, path, key))
            .Select(s => s.Value)
            .ToList();

    private bool CheckRelativePath(string text, SourceLocation at, string path, string key)
    {
        var rooted = text.StartsWith('/') || text.StartsWith('\\') || (text.Length > 1 && text[1] == ':' && char.IsAsciiLetter(text[0]));
        if (rooted || text.Split('/', '\\').Contains(".."))
        {
            Errors.Add(at, $"'{key}' must be a path relative to the workspace, without '..', not '{text}'", path);
            return false;
        }

        return true;
    }

    private static string Join(string? path, string key) => path is null ? key : $"{path}.{key}";

    private static bool Has(YamlMapping mapping, string key) => mapping.Entries.Any(e => e.Key.Value == key);

    private static bool IsEnvName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Input names and matrix axes: a letter or '_', then letters, digits, '_' and '-'.</summary>
    internal static bool IsName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    internal static bool IsJobId(string id) => id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
