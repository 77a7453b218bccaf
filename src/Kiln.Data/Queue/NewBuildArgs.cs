namespace Kiln.Data.Queue;

/// <summary>A new build's row (<see cref="NewBuildRows"/>); statuses and enums as their wire names.
/// <see cref="BuildProject"/>: the build's project, by which SQLite's rows find the number just taken.</summary>
internal readonly record struct NewBuildArgs(
    long BuildProject, string Status, string Event, string? Ref, string? Branch, string? Tag, string? Commit, string TriggeredBy, string InputsJson,
    string? Error, bool CancelRequested, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, string? Forge, string? DeliveryId,
    int? PullRequest, string? BaseBranch, string? SkipReason, bool FromFork) : ISqlArgs<NewBuildArgs>
{
    public static IReadOnlyList<string> Names { get; } =
    [
        nameof(BuildProject), nameof(Status), nameof(Event), nameof(Ref), nameof(Branch), nameof(Tag), nameof(Commit), nameof(TriggeredBy),
        nameof(InputsJson), nameof(Error), nameof(CancelRequested), nameof(CreatedAt), nameof(StartedAt), nameof(FinishedAt), nameof(Forge),
        nameof(DeliveryId), nameof(PullRequest), nameof(BaseBranch), nameof(SkipReason), nameof(FromFork),
    ];

    public object?[] Values() =>
    [
        BuildProject, Status, Event, Ref, Branch, Tag, Commit, TriggeredBy, InputsJson, Error, CancelRequested, CreatedAt, StartedAt, FinishedAt, Forge,
        DeliveryId, PullRequest, BaseBranch, SkipReason, FromFork,
    ];
}

/// <summary>A new job's row; statuses and the failure reason as their wire names, never the enums.</summary>
internal readonly record struct NewJobArgs(
    long BuildProject, long ProjectId, int Ordinal, string Name, int Attempt, bool IsLatest, string Status, string? FailureReason, string Needs,
    string EnvJson, int? TimeoutSeconds, string MatrixJson, bool AllowFailure, string RunsOn, int RetryMax, string RetryOn, bool Manual, string SpecJson,
    int Priority, string? ConcurrencyGroup, bool CancelRequested, string? Message, long LogBytes, long NextLogSequence, DateTime? QueuedAt,
    DateTime? NotBefore, long? AgentId, string? AgentName, string? LeaseToken, DateTime? LeaseExpiresAt, DateTime? StartedAt, DateTime? FinishedAt)
    : ISqlArgs<NewJobArgs>
{
    public static IReadOnlyList<string> Names { get; } =
    [
        nameof(BuildProject), nameof(ProjectId), nameof(Ordinal), nameof(Name), nameof(Attempt), nameof(IsLatest), nameof(Status), nameof(FailureReason),
        nameof(Needs), nameof(EnvJson), nameof(TimeoutSeconds), nameof(MatrixJson), nameof(AllowFailure), nameof(RunsOn), nameof(RetryMax), nameof(RetryOn),
        nameof(Manual), nameof(SpecJson), nameof(Priority), nameof(ConcurrencyGroup), nameof(CancelRequested), nameof(Message), nameof(LogBytes),
        nameof(NextLogSequence), nameof(QueuedAt), nameof(NotBefore), nameof(AgentId), nameof(AgentName), nameof(LeaseToken), nameof(LeaseExpiresAt),
        nameof(StartedAt), nameof(FinishedAt),
    ];

    public object?[] Values() =>
    [
        BuildProject, ProjectId, Ordinal, Name, Attempt, IsLatest, Status, FailureReason, Needs, EnvJson, TimeoutSeconds, MatrixJson, AllowFailure, RunsOn,
        RetryMax, RetryOn, Manual, SpecJson, Priority, ConcurrencyGroup, CancelRequested, Message, LogBytes, NextLogSequence, QueuedAt, NotBefore, AgentId,
        AgentName, LeaseToken, LeaseExpiresAt, StartedAt, FinishedAt,
    ];
}

/// <summary>A new step's row. <see cref="JobName"/> and <see cref="JobAttempt"/>: how SQLite finds its job.</summary>
internal readonly record struct NewStepArgs(
    long BuildProject, string JobName, int JobAttempt, int Index, string Name, string Run, string EnvJson, int? TimeoutSeconds, string Condition,
    bool ContinueOnError, string? WorkingDirectory, string? Shell, string Status, int? ExitCode, DateTime? StartedAt, DateTime? FinishedAt)
    : ISqlArgs<NewStepArgs>
{
    public static IReadOnlyList<string> Names { get; } =
    [
        nameof(BuildProject), nameof(JobName), nameof(JobAttempt), nameof(Index), nameof(Name), nameof(Run), nameof(EnvJson), nameof(TimeoutSeconds),
        nameof(Condition), nameof(ContinueOnError), nameof(WorkingDirectory), nameof(Shell), nameof(Status), nameof(ExitCode), nameof(StartedAt),
        nameof(FinishedAt),
    ];

    public object?[] Values() =>
    [
        BuildProject, JobName, JobAttempt, Index, Name, Run, EnvJson, TimeoutSeconds, Condition, ContinueOnError, WorkingDirectory, Shell, Status, ExitCode,
        StartedAt, FinishedAt,
    ];
}

/// <summary>The new build's event: <c>build.queued</c>, or <c>build.finished</c> for a build made already ended.</summary>
internal readonly record struct BuildEventArgs(long BuildProject, DateTime At, string Kind, string Status, string Actor, int Place) : ISqlArgs<BuildEventArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(BuildProject), nameof(At), nameof(Kind), nameof(Status), nameof(Actor), nameof(Place)];

    public object?[] Values() => [BuildProject, At, Kind, Status, Actor, Place];
}
