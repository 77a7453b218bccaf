namespace Kiln.Core.Pipelines;

/// <summary>
/// How often a job is run again, and after which outcomes (<c>failed</c>, <c>lost</c>, <c>timed_out</c>).
/// <c>retry: 2</c> is <c>{ max: 2, on: [lost] }</c>.
/// </summary>
public sealed record RetryPolicy
{
    public const int MaxRetries = 10;

    public int Max { get; init; }

    public IReadOnlyList<string> On { get; init; } = ["lost"];
}
