namespace Kiln.Core.Pipelines;

/// <summary>The pipeline while it is being read; keys fill it in through <see cref="PipelineKeys"/>.</summary>
internal sealed class PipelineDraft
{
    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    public List<JobDraft>? Jobs { get; set; }
}

/// <summary>One job while it is being read.</summary>
internal sealed class JobDraft(string id, SourceLocation location, string path)
{
    public string Id { get; } = id;

    public SourceLocation Location { get; } = location;

    /// <summary>The dotted key path of the job, <c>jobs.build</c>.</summary>
    public string Path { get; } = path;

    public List<(string Id, SourceLocation Location)> Needs { get; set; } = [];

    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    public TimeSpan? Timeout { get; set; }

    /// <summary>Null when the job has no 'steps' key.</summary>
    public List<StepDefinition>? Steps { get; set; }
}

/// <summary>One step while it is being read.</summary>
internal sealed class StepDraft(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    public string? Run { get; set; }

    public string? Name { get; set; }

    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);

    public TimeSpan? Timeout { get; set; }
}
