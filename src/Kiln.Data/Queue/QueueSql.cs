using Kiln.Core.Builds;

namespace Kiln.Data.Queue;

/// <summary>The queue's statements outside the lease and the enqueue (<see cref="LeaseRules"/>,
/// <see cref="NewBuildRows"/>): the agent's reports, people's actions, the retry copy and the build's
/// progress, each with its argument record (<see cref="SqlStatement{TArgs}"/>). The texts both databases
/// share are here; those that differ are in QueueSql.Sqlite.cs and QueueSql.Postgres.cs, one instance per
/// database (<see cref="For"/>).</summary>
internal sealed partial class QueueSql
{
    private static readonly string Running = SqlText.Literal(JobStatus.Running);

    private QueueSql(SqlStatement<StepOfLeaseArgs> stepOfLease, SqlStatement<BuildKeyArgs> buildOfJob, SqlStatement<BuildKeyArgs> thisBuild)
    {
        StepOfLease = stepOfLease;
        BuildOfJob = buildOfJob;
        ThisBuild = thisBuild;
    }

    /// <summary>The statements of the database <paramref name="postgres"/> names.</summary>
    public static QueueSql For(bool postgres) => postgres ? Postgres : Sqlite;

    /// <summary>The status of a step of the job the lease holds; no row if the lease is stale. On
    /// PostgreSQL the job row is share-locked.</summary>
    public SqlStatement<StepOfLeaseArgs> StepOfLease { get; }

    /// <summary>The build of job <c>@Key</c> and its project (<see cref="BuildColumns"/>); on PostgreSQL the
    /// build row is locked.</summary>
    public SqlStatement<BuildKeyArgs> BuildOfJob { get; }

    /// <summary>As <see cref="BuildOfJob"/>, of build <c>@Key</c> itself.</summary>
    public SqlStatement<BuildKeyArgs> ThisBuild { get; }

    /// <summary>The latest jobs of the build of job <c>@Key</c>, in id order (<see cref="JobStateColumns"/>).</summary>
    public static SqlStatement<BuildKeyArgs> JobsOfBuildOfJob { get; } = new($"""
        SELECT "Id", "Name", "Needs", "Status", "Manual", "AllowFailure", "CancelRequested", "StartedAt", "FailureReason", "Message"
        FROM jobs WHERE "BuildId" = {BuildProgress.BuildOfJob} AND "IsLatest" = @IsLatest ORDER BY "Id"
        """);

    /// <summary>As <see cref="JobsOfBuildOfJob"/>, of build <c>@Key</c>.</summary>
    public static SqlStatement<BuildKeyArgs> JobsOfThisBuild { get; } = new($"""
        SELECT "Id", "Name", "Needs", "Status", "Manual", "AllowFailure", "CancelRequested", "StartedAt", "FailureReason", "Message"
        FROM jobs WHERE "BuildId" = {BuildProgress.ThisBuild} AND "IsLatest" = @IsLatest ORDER BY "Id"
        """);

    /// <summary>A job's change of status, fenced on the status it was read with.</summary>
    public static SqlStatement<JobStatusChangeArgs> ChangeJobStatus { get; } = new("""
        UPDATE jobs SET "Status" = @Status, "Message" = @Message, "QueuedAt" = COALESCE(@QueuedAt, "QueuedAt"),
          "FinishedAt" = COALESCE(@FinishedAt, "FinishedAt"), "FailureReason" = @FailureReason
        WHERE "Id" = @JobId AND "Status" = @Before
        """);

    /// <summary>A cancel asked of a running job, fenced on the status it was read with.</summary>
    public static SqlStatement<JobCancelArgs> AskJobToCancel { get; } = new(
        """UPDATE jobs SET "CancelRequested" = @CancelRequested, "FailureReason" = @FailureReason WHERE "Id" = @JobId AND "Status" = @Before""");

    /// <summary>A build's change of status, fenced on the status it was read with.</summary>
    public static SqlStatement<BuildStatusChangeArgs> ChangeBuildStatus { get; } = new(
        """UPDATE builds SET "Status" = @Status, "StartedAt" = @StartedAt, "FinishedAt" = @FinishedAt WHERE "Id" = @BuildId AND "Status" = @Before""");

    /// <summary>The steps of a job that ended before it started.</summary>
    public static SqlStatement<JobArgs> SkipSteps { get; } = new(
        $"""UPDATE steps SET "Status" = {SqlText.Literal(StepStatus.Skipped)} WHERE "JobId" = @JobId""");

    /// <summary>The retry's copy of a job's row, queued as its next attempt; returns the new id. Leaves out
    /// what belongs to the old attempt's run (held by the column guards' test).</summary>
    public static SqlStatement<RetryArgs> CopyJobForRetry { get; } = new($"""
        INSERT INTO jobs ("BuildId", "ProjectId", "Ordinal", "Name", "Attempt", "IsLatest", "Status", "Needs", "EnvJson",
          "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson", "Priority",
          "ConcurrencyGroup", "CancelRequested", "LogBytes", "NextLogSequence", "QueuedAt")
        SELECT "BuildId", "ProjectId", "Ordinal", "Name", "Attempt" + 1, "IsLatest", {SqlText.Literal(JobStatus.Queued)}, "Needs", "EnvJson",
          "TimeoutSeconds", "MatrixJson", "AllowFailure", "RunsOn", "RetryMax", "RetryOn", "Manual", "SpecJson", "Priority",
          "ConcurrencyGroup", "CancelRequested", 0, 0, @Now
        FROM jobs WHERE "Id" = @JobId
        RETURNING "Id"
        """);

    /// <summary>The retry's copy of the old attempt's steps, pending, for the new attempt.</summary>
    public static SqlStatement<RetryStepsArgs> CopyStepsForRetry { get; } = new($"""
        INSERT INTO steps ("JobId", "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
          "WorkingDirectory", "Shell", "Status")
        SELECT @NewJobId, "Index", "Name", "Run", "EnvJson", "TimeoutSeconds", "Condition", "ContinueOnError",
          "WorkingDirectory", "Shell", {SqlText.Literal(StepStatus.Pending)}
        FROM steps WHERE "JobId" = @JobId
        """);

    public static SqlStatement<LatestArgs> SetLatest { get; } = new("""UPDATE jobs SET "IsLatest" = @IsLatest WHERE "Id" = @JobId""");

    /// <summary>Renews a lease, fenced on its token; returns the job's cancel request.</summary>
    public static SqlStatement<RenewArgs> Renew { get; } = new($"""
        UPDATE jobs SET "LeaseExpiresAt" = @ExpiresAt WHERE "Id" = @JobId AND "LeaseToken" = @LeaseToken AND "Status" = {Running}
        RETURNING "CancelRequested"
        """);

    /// <summary>Whether a cancel was asked of the job the lease holds; no row if the lease is stale.</summary>
    public static SqlStatement<JobLeaseArgs> CancelRequestedOfLease { get; } = new(
        $"""SELECT "CancelRequested" FROM jobs WHERE "Id" = @JobId AND "LeaseToken" = @LeaseToken AND "Status" = {Running}""");

    /// <summary>A step starts: its start time and no exit code.</summary>
    public static SqlStatement<StepChangeArgs> StepStarted { get; } = new(
        """UPDATE steps SET "Status" = @Status, "StartedAt" = @At, "ExitCode" = @ExitCode WHERE "JobId" = @JobId AND "Index" = @StepIndex""");

    /// <summary>A step ends (its start time kept, or this one if it never started).</summary>
    public static SqlStatement<StepChangeArgs> StepEnded { get; } = new(
        """UPDATE steps SET "Status" = @Status, "StartedAt" = COALESCE("StartedAt", @At), "FinishedAt" = @At, "ExitCode" = @ExitCode WHERE "JobId" = @JobId AND "Index" = @StepIndex""");

    /// <summary>The fence of a job's end: only the lease's holder ends a running job, once. Returns what the
    /// completion needs (<see cref="EndedColumns"/>).</summary>
    public static SqlStatement<EndJobArgs> EndJob { get; } = new($"""
        UPDATE jobs SET "Status" = @Status, "Message" = @Message, "FinishedAt" = @Now, "LeaseToken" = NULL, "LeaseExpiresAt" = NULL
        WHERE "Id" = @JobId AND "LeaseToken" = @LeaseToken AND "Status" = {Running}
        RETURNING "BuildId", "CancelRequested", "FailureReason", "RetryOn", "RetryMax", "Attempt", "ConcurrencyGroup", "Name", "AgentName"
        """);

    /// <summary>The steps a job's end leaves: the running one ends as the job did, the pending ones are skipped.</summary>
    public static SqlStatement<EndStepsArgs> EndSteps { get; } = new($"""
        UPDATE steps SET "Status" = CASE WHEN "Status" = {SqlText.Literal(StepStatus.Running)} THEN @RunningBecomes ELSE {SqlText.Literal(StepStatus.Skipped)} END,
          "FinishedAt" = @Now
        WHERE "JobId" = @JobId AND "Status" IN ({SqlText.Literal(StepStatus.Pending)}, {SqlText.Literal(StepStatus.Running)})
        """);

    public static SqlStatement<FailureReasonArgs> SetFailureReason { get; } = new(
        """UPDATE jobs SET "FailureReason" = @FailureReason WHERE "Id" = @JobId""");

    public static SqlStatement<BuildCancelArgs> AskBuildToCancel { get; } = new(
        """UPDATE builds SET "CancelRequested" = @CancelRequested WHERE "Id" = @BuildId""");

    /// <summary>An approval, fenced on the status, so two approvals (or one racing a cancel) change it once.</summary>
    public static SqlStatement<ApproveArgs> Approve { get; } = new(
        $"""UPDATE jobs SET "Status" = {SqlText.Literal(JobStatus.Queued)}, "QueuedAt" = @Now WHERE "Id" = @JobId AND "Status" = {SqlText.Literal(JobStatus.Manual)}""");

    /// <summary>The agent's labels and whether it is paused (SQLite's lease matches labels in code).</summary>
    public static SqlStatement<AgentArgs> AgentLabels { get; } = new("""SELECT "Labels", "Paused" FROM agents WHERE "Id" = @AgentId""");
}

internal readonly record struct RenewArgs(DateTime ExpiresAt, long JobId, string LeaseToken) : ISqlArgs<RenewArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(ExpiresAt), nameof(JobId), nameof(LeaseToken)];

    public object?[] Values() => [ExpiresAt, JobId, LeaseToken];
}

internal readonly record struct JobLeaseArgs(long JobId, string LeaseToken) : ISqlArgs<JobLeaseArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(JobId), nameof(LeaseToken)];

    public object?[] Values() => [JobId, LeaseToken];
}

internal readonly record struct StepOfLeaseArgs(long JobId, int StepIndex, string LeaseToken) : ISqlArgs<StepOfLeaseArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(JobId), nameof(StepIndex), nameof(LeaseToken)];

    public object?[] Values() => [JobId, StepIndex, LeaseToken];
}

/// <summary><see cref="Status"/>: the step's new status' wire name.</summary>
internal readonly record struct StepChangeArgs(string Status, DateTime At, int? ExitCode, long JobId, int StepIndex) : ISqlArgs<StepChangeArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Status), nameof(At), nameof(ExitCode), nameof(JobId), nameof(StepIndex)];

    public object?[] Values() => [Status, At, ExitCode, JobId, StepIndex];
}

/// <summary><see cref="Status"/>: the job's final status' wire name.</summary>
internal readonly record struct EndJobArgs(string Status, string? Message, DateTime Now, long JobId, string LeaseToken) : ISqlArgs<EndJobArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Status), nameof(Message), nameof(Now), nameof(JobId), nameof(LeaseToken)];

    public object?[] Values() => [Status, Message, Now, JobId, LeaseToken];
}

/// <summary>The columns <see cref="QueueSql.EndJob"/> returns.</summary>
internal readonly record struct EndedColumns(
    int BuildId, int CancelRequested, int FailureReason, int RetryOn, int RetryMax, int Attempt, int ConcurrencyGroup, int Name, int AgentName)
    : IResultColumns<EndedColumns>
{
    public static EndedColumns Of(System.Data.Common.DbDataReader reader) => new(
        reader.GetOrdinal("BuildId"), reader.GetOrdinal("CancelRequested"), reader.GetOrdinal("FailureReason"), reader.GetOrdinal("RetryOn"),
        reader.GetOrdinal("RetryMax"), reader.GetOrdinal("Attempt"), reader.GetOrdinal("ConcurrencyGroup"), reader.GetOrdinal("Name"),
        reader.GetOrdinal("AgentName"));
}

/// <summary><see cref="RunningBecomes"/>: the wire name of the status the running step ends with.</summary>
internal readonly record struct EndStepsArgs(string RunningBecomes, DateTime Now, long JobId) : ISqlArgs<EndStepsArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(RunningBecomes), nameof(Now), nameof(JobId)];

    public object?[] Values() => [RunningBecomes, Now, JobId];
}

/// <summary><see cref="FailureReason"/>: the reason's wire name (<see cref="StatusNames.ToWire(FailureReason?)"/>), never the enum.</summary>
internal readonly record struct FailureReasonArgs(string? FailureReason, long JobId) : ISqlArgs<FailureReasonArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(FailureReason), nameof(JobId)];

    public object?[] Values() => [FailureReason, JobId];
}

internal readonly record struct BuildCancelArgs(bool CancelRequested, long BuildId) : ISqlArgs<BuildCancelArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(CancelRequested), nameof(BuildId)];

    public object?[] Values() => [CancelRequested, BuildId];
}

internal readonly record struct ApproveArgs(DateTime Now, long JobId) : ISqlArgs<ApproveArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Now), nameof(JobId)];

    public object?[] Values() => [Now, JobId];
}

internal readonly record struct AgentArgs(long AgentId) : ISqlArgs<AgentArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(AgentId)];

    public object?[] Values() => [AgentId];
}

/// <summary><see cref="Key"/>: a job's id or a build's, as the statement reads it; <see cref="IsLatest"/>: true.</summary>
internal readonly record struct BuildKeyArgs(long Key, bool IsLatest = true) : ISqlArgs<BuildKeyArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Key), nameof(IsLatest)];

    public object?[] Values() => [Key, IsLatest];
}

/// <summary>The columns of <see cref="QueueSql.BuildOfJob"/> and <see cref="QueueSql.ThisBuild"/>.</summary>
internal readonly record struct BuildColumns(int Id, int Status, int StartedAt, int FinishedAt, int HasLimit, int ProjectId, int Name, int Number)
    : IResultColumns<BuildColumns>
{
    public static BuildColumns Of(System.Data.Common.DbDataReader reader) => new(
        reader.GetOrdinal("Id"), reader.GetOrdinal("Status"), reader.GetOrdinal("StartedAt"), reader.GetOrdinal("FinishedAt"),
        reader.GetOrdinal("HasLimit"), reader.GetOrdinal("ProjectId"), reader.GetOrdinal("Name"), reader.GetOrdinal("Number"));
}

/// <summary>The columns of <see cref="QueueSql.JobsOfBuildOfJob"/> and <see cref="QueueSql.JobsOfThisBuild"/>.</summary>
internal readonly record struct JobStateColumns(
    int Id, int Name, int Needs, int Status, int Manual, int AllowFailure, int CancelRequested, int StartedAt, int FailureReason, int Message)
    : IResultColumns<JobStateColumns>
{
    public static JobStateColumns Of(System.Data.Common.DbDataReader reader) => new(
        reader.GetOrdinal("Id"), reader.GetOrdinal("Name"), reader.GetOrdinal("Needs"), reader.GetOrdinal("Status"), reader.GetOrdinal("Manual"),
        reader.GetOrdinal("AllowFailure"), reader.GetOrdinal("CancelRequested"), reader.GetOrdinal("StartedAt"), reader.GetOrdinal("FailureReason"),
        reader.GetOrdinal("Message"));
}

/// <summary>Statuses and reasons as wire names; <see cref="Before"/> the status the job was read with.</summary>
internal readonly record struct JobStatusChangeArgs(
    string Status, string? Message, DateTime? QueuedAt, DateTime? FinishedAt, string? FailureReason, long JobId, string Before) : ISqlArgs<JobStatusChangeArgs>
{
    public static IReadOnlyList<string> Names { get; } =
        [nameof(Status), nameof(Message), nameof(QueuedAt), nameof(FinishedAt), nameof(FailureReason), nameof(JobId), nameof(Before)];

    public object?[] Values() => [Status, Message, QueuedAt, FinishedAt, FailureReason, JobId, Before];
}

internal readonly record struct JobCancelArgs(bool CancelRequested, string? FailureReason, long JobId, string Before) : ISqlArgs<JobCancelArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(CancelRequested), nameof(FailureReason), nameof(JobId), nameof(Before)];

    public object?[] Values() => [CancelRequested, FailureReason, JobId, Before];
}

internal readonly record struct BuildStatusChangeArgs(string Status, DateTime? StartedAt, DateTime? FinishedAt, long BuildId, string Before)
    : ISqlArgs<BuildStatusChangeArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Status), nameof(StartedAt), nameof(FinishedAt), nameof(BuildId), nameof(Before)];

    public object?[] Values() => [Status, StartedAt, FinishedAt, BuildId, Before];
}

internal readonly record struct JobArgs(long JobId) : ISqlArgs<JobArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(JobId)];

    public object?[] Values() => [JobId];
}

internal readonly record struct RetryArgs(DateTime Now, long JobId) : ISqlArgs<RetryArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(Now), nameof(JobId)];

    public object?[] Values() => [Now, JobId];
}

internal readonly record struct RetryStepsArgs(long NewJobId, long JobId) : ISqlArgs<RetryStepsArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(NewJobId), nameof(JobId)];

    public object?[] Values() => [NewJobId, JobId];
}

internal readonly record struct LatestArgs(bool IsLatest, long JobId) : ISqlArgs<LatestArgs>
{
    public static IReadOnlyList<string> Names { get; } = [nameof(IsLatest), nameof(JobId)];

    public object?[] Values() => [IsLatest, JobId];
}
