using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>The pipeline while it is being read; keys fill it in through <see cref="PipelineKeys"/>.</summary>
internal sealed class PipelineDraft
{
    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    public TriggerSettings? On { get; set; }

    public List<InputDefinition> Inputs { get; set; } = [];

    /// <summary>The <c>include</c> key and its value, read once the whole top level is known.</summary>
    public (YamlScalar Key, YamlValue Value)? Include { get; set; }

    public YamlValue? Templates { get; set; }

    public YamlValue? JobsNode { get; set; }

    public List<JobDraft>? Jobs { get; set; }
}

/// <summary>One job (or template) while it is being read.</summary>
internal sealed class JobDraft(string id, SourceLocation location, string path, string owner)
{
    public string Id { get; } = id;

    public SourceLocation Location { get; } = location;

    /// <summary>The dotted key path of the job, <c>jobs.build</c>.</summary>
    public string Path { get; } = path;

    /// <summary>"job 'build'" or "template 'base'", for messages.</summary>
    public string Owner { get; } = owner;

    public string? DisplayName { get; set; }

    public List<(string Id, SourceLocation Location)> Needs { get; set; } = [];

    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    public TimeSpan? Timeout { get; set; }

    /// <summary>Null when the job has no 'steps' key.</summary>
    public List<StepDefinition>? Steps { get; set; }

    public List<string> RunsOn { get; set; } = [];

    public string? Image { get; set; }

    public List<ServiceDefinition> Services { get; set; } = [];

    public MatrixDefinition? Matrix { get; set; }

    public WhenDefinition? When { get; set; }

    public RetryPolicy? Retry { get; set; }

    public bool AllowFailure { get; set; }

    public bool Manual { get; set; }

    public ConcurrencyDefinition? Concurrency { get; set; }

    public ArtifactsDefinition? Artifacts { get; set; }

    public CacheDefinition? Cache { get; set; }

    public string? WorkingDirectory { get; set; }

    public string? Shell { get; set; }

    public JobDefinition ToDefinition() => new()
    {
        Id = Id,
        DisplayName = DisplayName,
        Needs = Needs.Select(n => n.Id).ToList(),
        Env = Env,
        Timeout = Timeout,
        Steps = Steps ?? [],
        Location = Location,
        RunsOn = RunsOn,
        Image = Image,
        Services = Services,
        Matrix = Matrix,
        When = When,
        Retry = Retry,
        AllowFailure = AllowFailure,
        Manual = Manual,
        Concurrency = Concurrency,
        Artifacts = Artifacts,
        Cache = Cache,
        WorkingDirectory = WorkingDirectory,
        Shell = Shell,
    };
}

/// <summary>One step while it is being read.</summary>
internal sealed class StepDraft(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    public string? Run { get; set; }

    public string? Name { get; set; }

    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    public TimeSpan? Timeout { get; set; }

    public bool ContinueOnError { get; set; }

    public string? WorkingDirectory { get; set; }

    public StepCondition If { get; set; }

    public string? Shell { get; set; }
}

/// <summary>The mapping form of <c>on</c> while it is being read; null = the trigger is not listed.</summary>
internal sealed class TriggerDraft
{
    public List<string>? Push { get; set; }

    public List<string>? PullRequest { get; set; }

    public List<string>? Tag { get; set; }

    public List<string> Schedules { get; set; } = [];

    public bool Manual { get; set; }

    public bool Api { get; set; }
}

internal sealed class InputDraft
{
    public string? Default { get; set; }

    public SourceLocation? DefaultAt { get; set; }

    public string? Description { get; set; }

    public bool Required { get; set; }

    public List<string>? Options { get; set; }
}

internal sealed class ServiceDraft
{
    public string? Image { get; set; }

    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    public List<string> Ports { get; set; } = [];
}

internal sealed class RetryDraft
{
    public int? Max { get; set; }

    public List<string>? On { get; set; }
}

internal sealed class ConcurrencyDraft
{
    public string? Group { get; set; }

    public bool CancelInProgress { get; set; }
}

internal sealed class ArtifactsDraft
{
    public List<string>? Paths { get; set; }

    public TimeSpan? Expire { get; set; }
}

internal sealed class CacheDraft
{
    public string? Key { get; set; }

    public List<string>? Paths { get; set; }
}

internal sealed class WhenDraft
{
    public List<string>? Branches { get; set; }

    public List<string>? Tags { get; set; }

    public List<string>? Events { get; set; }

    public List<string>? Changes { get; set; }
}
