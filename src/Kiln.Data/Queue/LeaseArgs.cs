using System.Data.Common;

namespace Kiln.Data.Queue;

/// <summary>PostgreSQL's lease (<see cref="LeaseRules.Lease"/>): the agent, the jobs to pass over
/// (<see cref="LeaseRules.ListParameter"/>), now, how many candidates, the queued status' wire name (a
/// parameter, so that no index can serve the lock's status test; <see cref="LeaseRules"/>), and the lease
/// to write.</summary>
internal readonly record struct LeaseArgs(
    long AgentId, object PassedOver, DateTime Now, int Count, string QueuedStatus, string LeaseToken, DateTime LeaseExpiresAt, string AgentName)
    : ISqlArgs<LeaseArgs>
{
    public static IReadOnlyList<string> Names { get; } =
        [nameof(AgentId), nameof(PassedOver), nameof(Now), nameof(Count), nameof(QueuedStatus), nameof(LeaseToken), nameof(LeaseExpiresAt), nameof(AgentName)];

    public object?[] Values() => [AgentId, PassedOver, Now, Count, QueuedStatus, LeaseToken, LeaseExpiresAt, AgentName];
}

/// <summary>PostgreSQL's lease of one job (<see cref="LeaseRules.LeaseOne"/>): as <see cref="LeaseArgs"/>,
/// with the job in place of the jobs to pass over and the count.</summary>
internal readonly record struct LeaseOneArgs(
    long AgentId, long JobId, DateTime Now, string QueuedStatus, string LeaseToken, DateTime LeaseExpiresAt, string AgentName)
    : ISqlArgs<LeaseOneArgs>
{
    public static IReadOnlyList<string> Names { get; } =
        [nameof(AgentId), nameof(JobId), nameof(Now), nameof(QueuedStatus), nameof(LeaseToken), nameof(LeaseExpiresAt), nameof(AgentName)];

    public object?[] Values() => [AgentId, JobId, Now, QueuedStatus, LeaseToken, LeaseExpiresAt, AgentName];
}

/// <summary>SQLite's candidates (<see cref="LeaseRules.Candidates"/>): the runs-on values the agent can run
/// and the jobs to pass over (each <see cref="LeaseRules.ListParameter"/>), now, how many.</summary>
internal readonly record struct SqliteCandidatesArgs(object Runnable, object PassedOver, DateTime Now, int Count) : ISqlArgs<SqliteCandidatesArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Runnable), nameof(PassedOver), nameof(Now), nameof(Count)];

    public object?[] Values() => [Runnable, PassedOver, Now, Count];
}

/// <summary>SQLite's claim of the job it picked (<see cref="LeaseRules.Claim"/>).</summary>
internal readonly record struct SqliteClaimArgs(string LeaseToken, DateTime LeaseExpiresAt, long AgentId, string AgentName, DateTime Now, long JobId)
    : ISqlArgs<SqliteClaimArgs>
{
    public static IReadOnlyList<string> Names { get; } =
        [nameof(LeaseToken), nameof(LeaseExpiresAt), nameof(AgentId), nameof(AgentName), nameof(Now), nameof(JobId)];

    public object?[] Values() => [LeaseToken, LeaseExpiresAt, AgentId, AgentName, Now, JobId];
}

/// <summary>How the statements after a claim find the job it took (<see cref="LeaseRules.Leased"/>): its lease
/// token, on SQLite its id too; and the lease's time.</summary>
internal readonly record struct LeasedArgs(string LeaseToken, long? JobId, DateTime Now) : ISqlArgs<LeasedArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(LeaseToken), nameof(JobId), nameof(Now)];

    public object?[] Values() => [LeaseToken, JobId, Now];
}

internal readonly record struct ProjectArgs(long ProjectId) : ISqlArgs<ProjectArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(ProjectId)];

    public object?[] Values() => [ProjectId];
}

/// <summary>The columns of the lease's candidates (<see cref="LeaseCandidate"/>).</summary>
internal readonly record struct CandidateColumns(int JobId, int ProjectId, int Row) : IResultColumns<CandidateColumns>
{
    public static CandidateColumns Of(DbDataReader reader) => new(reader.GetOrdinal("JobId"), reader.GetOrdinal("ProjectId"), reader.GetOrdinal("Row"));
}

/// <summary>The columns of <see cref="LeaseRules.LeasedJobWithSteps"/>: the job's, its build's and project's,
/// and its step's (null where the job has no steps).</summary>
internal readonly record struct LeasedJobColumns(
    int Id, int BuildId, int Name, int Attempt, int LeaseToken, int LeaseExpiresAt, int TimeoutSeconds, int EnvJson, int MatrixJson, int SpecJson,
    int Number, int Event, int Ref, int Branch, int Tag, int Commit, int TriggeredBy, int InputsJson, int ProjectName, int RepoUrl, int PullRequest, int BaseBranch,
    int StepIndex, int StepName, int Run, int StepEnvJson, int StepTimeoutSeconds, int Condition, int ContinueOnError, int WorkingDirectory, int Shell)
    : IResultColumns<LeasedJobColumns>
{
    public static LeasedJobColumns Of(DbDataReader reader) => new(
        reader.GetOrdinal("Id"), reader.GetOrdinal("BuildId"), reader.GetOrdinal("Name"), reader.GetOrdinal("Attempt"), reader.GetOrdinal("LeaseToken"),
        reader.GetOrdinal("LeaseExpiresAt"), reader.GetOrdinal("TimeoutSeconds"), reader.GetOrdinal("EnvJson"), reader.GetOrdinal("MatrixJson"),
        reader.GetOrdinal("SpecJson"), reader.GetOrdinal("Number"), reader.GetOrdinal("Event"), reader.GetOrdinal("Ref"), reader.GetOrdinal("Branch"),
        reader.GetOrdinal("Tag"), reader.GetOrdinal("Commit"), reader.GetOrdinal("TriggeredBy"), reader.GetOrdinal("InputsJson"),
        reader.GetOrdinal("ProjectName"), reader.GetOrdinal("RepoUrl"), reader.GetOrdinal("PullRequest"), reader.GetOrdinal("BaseBranch"),
        reader.GetOrdinal("StepIndex"), reader.GetOrdinal("StepName"), reader.GetOrdinal("Run"), reader.GetOrdinal("StepEnvJson"),
        reader.GetOrdinal("StepTimeoutSeconds"), reader.GetOrdinal("Condition"), reader.GetOrdinal("ContinueOnError"), reader.GetOrdinal("WorkingDirectory"),
        reader.GetOrdinal("Shell"));
}
