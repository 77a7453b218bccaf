namespace Kiln.Core.Pipelines;

/// <summary>A parameter of manual, API and task runs (<c>inputs:</c>); steps see it as <c>KILN_INPUT_&lt;NAME&gt;</c>.</summary>
public sealed record InputDefinition
{
    public required string Name { get; init; }

    public string? Default { get; init; }

    public string? Description { get; init; }

    public bool Required { get; init; }

    /// <summary>The allowed values; null when any value goes.</summary>
    public IReadOnlyList<string>? Options { get; init; }

    /// <summary>Where the input's name is written.</summary>
    public required SourceLocation Location { get; init; }
}
