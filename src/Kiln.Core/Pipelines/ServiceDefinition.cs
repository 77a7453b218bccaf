namespace Kiln.Core.Pipelines;

/// <summary>A container started beside the job (<c>services: { db: postgres:16 }</c>), reachable by its name.</summary>
public sealed record ServiceDefinition
{
    public required string Name { get; init; }

    public required string Image { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>As written: <c>5432</c> or <c>8080:80</c>, optionally with <c>/tcp</c> or <c>/udp</c>.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];
}
