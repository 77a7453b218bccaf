namespace Kiln.Core.Pipelines;

/// <summary>Folders restored before the job and saved after it under <see cref="Key"/>.</summary>
public sealed record CacheDefinition
{
    public required string Key { get; init; }

    public required IReadOnlyList<string> Paths { get; init; }
}
