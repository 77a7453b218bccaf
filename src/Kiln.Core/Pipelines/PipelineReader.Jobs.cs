using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>Jobs and steps.</summary>
internal sealed partial class PipelineReader
{
    private static readonly string[] Shells = ["bash", "sh", "python3", "pwsh"];
    private static readonly string[] Conditions = ["success", "failure", "always"];
    private static readonly string[] CacheKeys = ["key", "paths"];
    private static readonly string[] RetryOutcomes = ["failed", "lost", "timed_out"];

    public List<JobDraft> ReadJobs(YamlValue value, string path, TemplateResolver templates)
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
            jobs.Add(ReadJob(key, job, $"{path}.{key.Value}", templates));
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

    /// <summary><paramref name="owner"/> is "job 'build'" or "template 'base'".</summary>
    public List<StepDefinition> ReadSteps(YamlValue value, string path, string owner)
    {
        var steps = new List<StepDefinition>();
        if (value is not YamlSequence sequence)
        {
            var what = value is YamlScalar { IsNull: true } ? "is empty" : $"must be a list of steps, not a {value.KindName}";
            Errors.Add(value.Location, $"'steps' of {owner} {what}", path, "write each step as '- run: <command>'");
            return steps;
        }

        if (sequence.Items.Count == 0)
        {
            Errors.Add(sequence.Location, $"'steps' of {owner} is empty; a job needs at least one step", path);
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

    /// <summary>A step's <c>run</c>: text, with a warning when a YAML comment cut it mid-quote.</summary>
    public string? ReadCommand(YamlValue value, string path)
    {
        CutByComment.Check(value, path, Errors);
        return ReadText(value, path, "run");
    }

    public StepCondition ReadCondition(YamlValue value, string path)
    {
        var text = ReadText(value, path, "if");
        switch (text)
        {
            case null:
                return StepCondition.Success;
            case "success":
                return StepCondition.Success;
            case "failure":
                return StepCondition.Failure;
            case "always":
                return StepCondition.Always;
            default:
                Errors.Add(value.Location, $"'if' must be success, failure or always, not '{text}'", path, NameSuggester.Hint(text, Conditions));
                return StepCondition.Success;
        }
    }

    /// <summary>bash, sh, python3, pwsh, or a command line with <c>{0}</c> where the script file goes.</summary>
    public string? ReadShell(YamlValue value, string path)
    {
        var text = ReadText(value, path, "shell");
        if (text is null || Shells.Contains(text) || text.Contains("{0}", StringComparison.Ordinal))
        {
            return text;
        }

        Errors.Add(
            value.Location,
            $"'shell' must be bash, sh, python3, pwsh or a command line with {{0}} for the script file, not '{text}'",
            path,
            NameSuggester.Hint(text, Shells) ?? $"write '{text} {{0}}' to run the script file with it");
        return null;
    }

    public List<ServiceDefinition> ReadServices(YamlValue value, string path)
    {
        var services = new List<ServiceDefinition>();
        if (value is YamlScalar { IsNull: true })
        {
            return services;
        }

        if (value is not YamlMapping mapping)
        {
            Errors.Add(value.Location, $"'services' must be a mapping of names to images, not a {value.KindName}", path, "write 'services: { db: postgres:16 }'");
            return services;
        }

        foreach (var (key, item) in mapping.Entries)
        {
            var itemPath = $"{path}.{key.Value}";
            if (!IsJobId(key.Value) || !char.IsAsciiLetterOrDigit(key.Value[0]))
            {
                Errors.Add(key.Location, $"service name '{key.Value}' must start with a letter or digit and hold only letters, digits, '_', '-' and '.'", itemPath);
                continue;
            }

            if (item is YamlMapping settings)
            {
                var draft = new ServiceDraft();
                ReadMapping(settings, PipelineKeys.Service, draft, itemPath, $"in service '{key.Value}'");
                if (!Has(settings, "image"))
                {
                    Errors.Add(settings.Location, $"service '{key.Value}' has no 'image'", itemPath, "add 'image: <name:tag>'");
                }

                if (draft.Image is not null)
                {
                    services.Add(new ServiceDefinition { Name = key.Value, Image = draft.Image, Env = draft.Env, Ports = draft.Ports });
                }
            }
            else if (ReadText(item, itemPath, "image") is { } image)
            {
                services.Add(new ServiceDefinition { Name = key.Value, Image = image });
            }
        }

        return services;
    }

    public List<string> ReadPorts(YamlValue value, string path)
    {
        var ports = new List<string>();
        foreach (var item in ReadScalarList(value, path, "ports", allowEmpty: true))
        {
            if (IsPortMapping(item.Value))
            {
                ports.Add(item.Value);
            }
            else
            {
                Errors.Add(item.Location, $"'{item.Value}' is not a port; write 5432, 8080:80 or 53/udp", path);
            }
        }

        return ports;
    }

    /// <summary><c>retry: 2</c> or <c>retry: { max: 2, on: [lost, failed] }</c>.</summary>
    public RetryPolicy? ReadRetry(YamlValue value, string path)
    {
        if (value is YamlScalar)
        {
            return ReadRetryMax(value, path) is { } max ? new RetryPolicy { Max = max } : null;
        }

        if (value is not YamlMapping mapping)
        {
            Errors.Add(value.Location, $"'retry' must be a number or a mapping with 'max' and 'on', not a {value.KindName}", path);
            return null;
        }

        var draft = new RetryDraft();
        ReadMapping(mapping, PipelineKeys.Retry, draft, path, "in 'retry'");
        if (!Has(mapping, "max"))
        {
            Errors.Add(mapping.Location, "'retry' has no 'max'", path, "add 'max: <0 to 10>'");
        }

        return draft.Max is { } m ? new RetryPolicy { Max = m, On = draft.On ?? ["lost"] } : null;
    }

    public int? ReadRetryMax(YamlValue value, string path)
    {
        var text = value is YamlScalar scalar ? scalar.Value : value.KindName;
        if (text.Length is > 0 and <= 2 && text.All(char.IsAsciiDigit) && int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is var max && max <= RetryPolicy.MaxRetries)
        {
            return max;
        }

        Errors.Add(value.Location, $"'retry' must be a whole number from 0 to {RetryPolicy.MaxRetries}, not '{text}'", path);
        return null;
    }

    public List<string> ReadRetryOn(YamlValue value, string path)
    {
        var outcomes = RetryOutcomes;
        var on = new List<string>();
        foreach (var item in ReadScalarList(value, path, "on"))
        {
            if (!outcomes.Contains(item.Value))
            {
                Errors.Add(item.Location, $"'retry.on' may list failed, lost and timed_out, not '{item.Value}'", path, NameSuggester.Hint(item.Value, outcomes));
            }
            else if (!on.Contains(item.Value))
            {
                on.Add(item.Value);
            }
        }

        return on;
    }

    /// <summary><c>concurrency: deploy</c> or <c>concurrency: { group: deploy, cancel-in-progress: true }</c>.</summary>
    public ConcurrencyDefinition? ReadConcurrency(YamlValue value, string path)
    {
        if (value is not YamlMapping mapping)
        {
            return ReadText(value, path, "concurrency") is { } group ? new ConcurrencyDefinition { Group = group } : null;
        }

        var draft = new ConcurrencyDraft();
        ReadMapping(mapping, PipelineKeys.Concurrency, draft, path, "in 'concurrency'");
        if (!Has(mapping, "group"))
        {
            Errors.Add(mapping.Location, "'concurrency' has no 'group'", path, "add 'group: <name>'");
        }

        return draft.Group is { } g ? new ConcurrencyDefinition { Group = g, CancelInProgress = draft.CancelInProgress } : null;
    }

    /// <summary><c>artifacts: { paths: [...], expire: 30d }</c>, or just the paths.</summary>
    public ArtifactsDefinition? ReadArtifacts(YamlValue value, string path)
    {
        if (value is not YamlMapping mapping)
        {
            var paths = ReadPathList(value, path, "artifacts");
            return paths.Count > 0 ? new ArtifactsDefinition { Paths = paths } : null;
        }

        var draft = new ArtifactsDraft();
        ReadMapping(mapping, PipelineKeys.Artifacts, draft, path, "in 'artifacts'");
        if (!Has(mapping, "paths"))
        {
            Errors.Add(mapping.Location, "'artifacts' has no 'paths'", path, "add 'paths: [<glob>, ...]'");
        }

        return draft.Paths is { Count: > 0 } p ? new ArtifactsDefinition { Paths = p, Expire = draft.Expire } : null;
    }

    public CacheDefinition? ReadCache(YamlValue value, string path)
    {
        if (value is not YamlMapping mapping)
        {
            Errors.Add(value.Location, $"'cache' must be a mapping with 'key' and 'paths', not a {value.KindName}", path);
            return null;
        }

        var draft = new CacheDraft();
        ReadMapping(mapping, PipelineKeys.Cache, draft, path, "in 'cache'");
        foreach (var required in CacheKeys.Where(k => !Has(mapping, k)))
        {
            Errors.Add(mapping.Location, $"'cache' has no '{required}'", path);
        }

        return draft is { Key: { } key, Paths: { Count: > 0 } paths } ? new CacheDefinition { Key = key, Paths = paths } : null;
    }

    private static bool IsPortMapping(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && text[(slash + 1)..] is not ("tcp" or "udp"))
        {
            return false;
        }

        var ports = (slash < 0 ? text : text[..slash]).Split(':');
        return ports.Length <= 2 && ports.All(p => p.Length is > 0 and <= 5 && p.All(char.IsAsciiDigit) && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) is >= 1 and <= 65535);
    }

    private JobDraft ReadJob(YamlScalar key, YamlValue value, string path, TemplateResolver templates)
    {
        var id = key.Value;
        if (!IsJobId(id))
        {
            Errors.Add(key.Location, $"job id '{id}' may hold only letters, digits, '_', '-' and '.'", path);
        }
        else if (id.Length > MaxJobIdLength)
        {
            Errors.Add(key.Location, $"job id '{id[..20]}…' is longer than {MaxJobIdLength} characters", path);
        }

        var job = new JobDraft(id, key.Location, path, $"job '{id}'");
        if (value is not YamlMapping mapping)
        {
            var what = value is YamlScalar { IsNull: true } ? "is empty" : $"must be a mapping with 'steps', not a {value.KindName}";
            Errors.Add(value is YamlScalar { IsNull: true } ? key.Location : value.Location, $"job '{id}' {what}", path);
            return job;
        }

        var (merged, ownKeys) = templates.Apply(mapping, path);
        ReadMapping(merged, PipelineKeys.Job, job, path, $"in job '{id}'", ownKeys);
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
                CutByComment.Check(scalar, path, Errors);
                return new StepDefinition
                {
                    Name = DefaultName(scalar.Value),
                    Run = scalar.Value,
                    Env = new Dictionary<string, string>(StringComparer.Ordinal),
                    Location = scalar.Location,
                };
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
                    : new StepDefinition
                    {
                        Name = draft.Name ?? DefaultName(draft.Run),
                        Run = draft.Run,
                        Env = draft.Env,
                        Timeout = draft.Timeout,
                        Location = draft.Location,
                        ContinueOnError = draft.ContinueOnError,
                        WorkingDirectory = draft.WorkingDirectory,
                        If = draft.If,
                        Shell = draft.Shell,
                    };
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
