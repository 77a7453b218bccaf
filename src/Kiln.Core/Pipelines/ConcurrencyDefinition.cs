namespace Kiln.Core.Pipelines;

/// <summary>
/// At most one job of <see cref="Group"/> runs at a time, across builds of the project; with
/// <see cref="CancelInProgress"/> a new one cancels the running one instead of waiting.
/// <c>concurrency: deploy-prod</c> is <c>{ group: deploy-prod }</c>.
/// </summary>
public sealed record ConcurrencyDefinition
{
    public required string Group { get; init; }

    public bool CancelInProgress { get; init; }
}
