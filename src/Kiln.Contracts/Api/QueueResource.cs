namespace Kiln.Contracts.Api;

/// <summary>A job that has not started yet, in the order agents will get it, with why it waits.</summary>
public sealed record QueuedJobResource(
    long Id,
    string Project,
    int Build,
    string Job,
    int Attempt,
    string Status,
    IReadOnlyList<string> RunsOn,
    DateTimeOffset Since,
    double WaitSeconds,
    string Reason);
