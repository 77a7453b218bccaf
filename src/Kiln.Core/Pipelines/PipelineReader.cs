using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Reads the loaded YAML nodes into drafts, reporting every problem it meets and carrying on, so
/// one run finds them all. Which keys exist, and who reads them, is in <see cref="PipelineKeys"/>.
/// </summary>
internal sealed class PipelineReader(ErrorList errors)
{
    public const int MaxJobIdLength = 100;
    public const int MaxDefaultStepNameLength = 80;

    public ErrorList Errors { get; } = errors;

    /// <summary>Reads the whole document; null when it is empty or not a mapping.</summary>
    public PipelineDraft? ReadPipeline(YamlValue? root)
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
        if (!Has(mapping, "jobs"))
        {
            Errors.Add(mapping.Location, "the pipeline has no 'jobs' mapping", hint: "add 'jobs:' with at least one job");
        }

        return draft;
    }

    /// <summary>Reads each entry with the table's reader; reports unknown keys with a hint.</summary>
    public void ReadMapping<TDraft>(YamlMapping mapping, KeyTable<TDraft> table, TDraft draft, string? path, string where)
    {
        foreach (var (key, value) in mapping.Entries)
        {
            var keyPath = Join(path, key.Value);
            if (!table.TryGet(key.Value, out var reader))
            {
                Errors.Add(key.Location, $"unknown key '{key.Value}' {where}", keyPath, NameSuggester.Hint(key.Value, table.Names));
                continue;
            }

            reader?.Invoke(this, value, keyPath, draft);
        }
    }

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

    public List<JobDraft> ReadJobs(YamlValue value, string path)
    {
        var jobs = new List<JobDraft>();
        if (value is not YamlMapping mapping)
        {
            var what = value is YamlScalar { IsNull: true } ? "is empty" : $"must be a mapping of job ids to jobs, not a {value.KindName}";
            Errors.Add(value.Location, $"'jobs' {what}", path, "add at least one job with 'steps'");
            return jobs;
        }

        if (mapping.Entries.Count == 0)
        {
            Errors.Add(mapping.Location, "'jobs' is empty; a pipeline needs at least one job", path);
        }

        foreach (var (key, job) in mapping.Entries)
        {
            jobs.Add(ReadJob(key, job, $"{path}.{key.Value}"));
        }

        return jobs;
    }

    public List<(string Id, SourceLocation Location)> ReadNeeds(YamlValue value, string path)
    {
        var needs = new List<(string, SourceLocation)>();
        IEnumerable<YamlValue> items = value switch
        {
            YamlScalar { IsNull: true } => [],
            YamlScalar scalar => [scalar],
            YamlSequence sequence => sequence.Items,
            _ => [value],
        };
        foreach (var item in items)
        {
            if (item is YamlScalar { IsNull: false } scalar)
            {
                needs.Add((scalar.Value, scalar.Location));
            }
            else
            {
                Errors.Add(item.Location, $"'needs' must be a job id or a list of job ids, not a {item.KindName}", path);
            }
        }

        return needs;
    }

    public TimeSpan? ReadTimeout(YamlValue value, string path)
    {
        var text = value is YamlScalar scalar ? scalar.Value : value.KindName;
        if (!DurationParser.TryParse(text, out var timeout))
        {
            Errors.Add(value.Location, $"'timeout' must be a duration like 90s, 20m or 1h, not '{text}'", path);
            return null;
        }

        if (timeout <= TimeSpan.Zero)
        {
            Errors.Add(value.Location, $"'timeout' must be longer than zero, not '{text}'", path);
            return null;
        }

        return timeout;
    }

    public List<StepDefinition> ReadSteps(YamlValue value, string path, string jobId)
    {
        var steps = new List<StepDefinition>();
        if (value is not YamlSequence sequence)
        {
            var what = value is YamlScalar { IsNull: true } ? "is empty" : $"must be a list of steps, not a {value.KindName}";
            Errors.Add(value.Location, $"'steps' of job '{jobId}' {what}", path, "write each step as '- run: <command>'");
            return steps;
        }

        if (sequence.Items.Count == 0)
        {
            Errors.Add(sequence.Location, $"'steps' of job '{jobId}' is empty; a job needs at least one step", path);
        }

        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (ReadStep(sequence.Items[i], $"{path}[{i}]") is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
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

    private static string Join(string? path, string key) => path is null ? key : $"{path}.{key}";

    private static bool Has(YamlMapping mapping, string key) => mapping.Entries.Any(e => e.Key.Value == key);

    private static bool IsEnvName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsJobIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

    private JobDraft ReadJob(YamlScalar key, YamlValue value, string path)
    {
        var id = key.Value;
        if (id.Length == 0 || !id.All(IsJobIdChar))
        {
            Errors.Add(key.Location, $"job id '{id}' may hold only letters, digits, '_', '-' and '.'", path);
        }
        else if (id.Length > MaxJobIdLength)
        {
            Errors.Add(key.Location, $"job id '{id[..20]}…' is longer than {MaxJobIdLength} characters", path);
        }

        var job = new JobDraft(id, key.Location, path);
        if (value is not YamlMapping mapping)
        {
            var what = value is YamlScalar { IsNull: true } ? "is empty" : $"must be a mapping with 'steps', not a {value.KindName}";
            Errors.Add(value is YamlScalar { IsNull: true } ? key.Location : value.Location, $"job '{id}' {what}", path);
            return job;
        }

        ReadMapping(mapping, PipelineKeys.Job, job, path, $"in job '{id}'");
        if (job.Steps is null)
        {
            Errors.Add(key.Location, $"job '{id}' has no 'steps'", path, "add 'steps:' with at least one '- run: <command>'");
        }

        return job;
    }

    private StepDefinition? ReadStep(YamlValue value, string path)
    {
        switch (value)
        {
            case YamlScalar { IsNull: false } scalar when !string.IsNullOrWhiteSpace(scalar.Value):
                return new StepDefinition(DefaultName(scalar.Value), scalar.Value, new Dictionary<string, string>(), null, scalar.Location);
            case YamlMapping mapping:
                var draft = new StepDraft(mapping.Location);
                var errorsBefore = Errors.Count;
                ReadMapping(mapping, PipelineKeys.Step, draft, path, "in a step");
                if (!Has(mapping, "run"))
                {
                    Errors.Add(mapping.Location, "the step has no 'run'", path, "add 'run: <command>'");
                }

                return draft.Run is null || Errors.Count != errorsBefore
                    ? null
                    : new StepDefinition(draft.Name ?? DefaultName(draft.Run), draft.Run, draft.Env, draft.Timeout, draft.Location);
            default:
                var what = value is YamlScalar ? "is empty" : $"must be a command or a mapping with 'run', not a {value.KindName}";
                Errors.Add(value.Location, $"the step {what}", path);
                return null;
        }
    }

    /// <summary>The first non-blank line of the command, trimmed, at most 80 characters.</summary>
    private static string DefaultName(string run)
    {
        var line = run.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? run.Trim();
        if (line.Length <= MaxDefaultStepNameLength)
        {
            return line;
        }

        var cut = char.IsHighSurrogate(line[MaxDefaultStepNameLength - 1]) ? MaxDefaultStepNameLength - 1 : MaxDefaultStepNameLength;
        return line[..cut];
    }
}
