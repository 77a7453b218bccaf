namespace Kiln.Core.Pipelines;

/// <summary>Files kept after the job: path globs relative to the workspace, kept for <see cref="Expire"/> (null = the server's retention).</summary>
public sealed record ArtifactsDefinition
{
    public required IReadOnlyList<string> Paths { get; init; }

    public TimeSpan? Expire { get; init; }
}
