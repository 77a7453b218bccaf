using Kiln.Data.Queue;

namespace Kiln.Data.Tests;

/// <summary>The queue's hand-written statements whose column lists are held to the model
/// (<see cref="ColumnListTests"/>), each with the columns it leaves out on purpose and why. A new column
/// in the model fails the test until every statement here names it or says why not. To guard another
/// statement, add its rows here (one per table it inserts into or reads).</summary>
internal static class ColumnGuards
{
    private const string Identity = "the database assigns it (identity); the insert returns it";

    public static IReadOnlyList<ColumnGuard> All { get; } =
    [
        .. NewBuild(postgres: false),
        .. NewBuild(postgres: true),
        .. LeaseRead(LeaseRules.Sqlite, "SQLite"),
        .. LeaseRead(LeaseRules.Postgres, "PostgreSQL"),
        .. RetryCopy(),
        .. ProgressReads(postgres: false),
        .. ProgressReads(postgres: true),
        .. ProgressWrites(),
    ];

    public static ColumnGuard Named(string name) => All.Single(g => g.Name == name);

    /// <summary>The enqueue (<see cref="NewBuildRows"/>) writes every column of the rows the planner made,
    /// so that nothing the planner set is silently left at the column's default.</summary>
    private static IEnumerable<ColumnGuard> NewBuild(bool postgres)
    {
        var (build, job, step) = NewBuildRows.InsertTexts(postgres);
        var statement = $"new build ({(postgres ? "PostgreSQL" : "SQLite")})";
        yield return new(statement, build, "builds", new Dictionary<string, string> { ["Id"] = Identity });
        yield return new(statement, job, "jobs", new Dictionary<string, string> { ["Id"] = Identity });
        yield return new(statement, step, "steps", new Dictionary<string, string> { ["Id"] = Identity });
    }

    /// <summary>The retry's copy of a job (<see cref="JobRetry"/>, <see cref="QueueSql.CopyJobForRetry"/> and
    /// <see cref="QueueSql.CopyStepsForRetry"/>): the job's definition, nothing of the old attempt's run.</summary>
    private static IEnumerable<ColumnGuard> RetryCopy()
    {
        const string statement = "retry copy";
        const string run = "the old attempt's run; the new attempt starts without it";
        yield return new(statement, QueueSql.CopyJobForRetry.Sql, "jobs", new Dictionary<string, string>
        {
            ["Id"] = Identity,
            ["FailureReason"] = "set when the new attempt ends",
            ["Message"] = run,
            ["NotBefore"] = "a retry is queued at once, without the project's cooldown",
            ["AgentId"] = run,
            ["AgentName"] = run,
            ["LeaseToken"] = run,
            ["LeaseExpiresAt"] = run,
            ["StartedAt"] = run,
            ["FinishedAt"] = run,
        });
        yield return new(statement, QueueSql.CopyStepsForRetry.Sql, "steps", new Dictionary<string, string>
        {
            ["Id"] = Identity,
            ["ExitCode"] = run,
            ["StartedAt"] = run,
            ["FinishedAt"] = run,
        });
    }

    /// <summary>What <see cref="BuildProgress"/> reads to decide a build's next step (<see cref="Kiln.Core.Builds.BuildDecisions"/>):
    /// the build's state and its project's identity and limit, and each latest job's state.</summary>
    private static IEnumerable<ColumnGuard> ProgressReads(bool postgres)
    {
        var sql = QueueSql.For(postgres);
        var statement = $"build progress read ({(postgres ? "PostgreSQL" : "SQLite")})";
        var build = sql.BuildOfJob.Sql;
        const string trigger = "the trigger's record; progress does not depend on it";
        yield return new(statement, build, "builds", new Dictionary<string, string>
        {
            ["Event"] = trigger,
            ["Ref"] = trigger,
            ["Branch"] = trigger,
            ["Tag"] = trigger,
            ["Commit"] = trigger,
            ["TriggeredBy"] = trigger,
            ["InputsJson"] = trigger,
            ["Forge"] = trigger,
            ["DeliveryId"] = trigger,
            ["PullRequest"] = trigger,
            ["BaseBranch"] = trigger,
            ["FromFork"] = trigger,
            ["SkipReason"] = "a skipped build is made ended; progress never moves it",
            ["Error"] = "written where the build fails to plan, not by progress",
            ["CancelRequested"] = "the cancel's decision reads the jobs' requests; the build's is only the record",
            ["CreatedAt"] = "only the server's record",
        });
        yield return new(statement, build, "projects", new Dictionary<string, string>
        {
            ["Id"] = "the build's ProjectId is read instead",
            ["DefaultBranch"] = "trigger-time settings",
            ["RepoUrl"] = "only the agent's checkout (the lease reads it)",
            ["PipelineYaml"] = "trigger-time settings",
            ["NextBuildNumber"] = "only the enqueue's counter",
            ["CreatedAt"] = "only the server's record",
            ["CooldownSeconds"] = "applied at enqueue",
            ["Weight"] = "only the fair share between projects",
            ["WebhookSecret"] = "trigger-time settings",
            ["AllowedActors"] = "trigger-time settings",
            ["ForkPullRequests"] = "trigger-time settings",
            ["PollIntervalSeconds"] = "only the server's poller",
            ["Forge"] = "only the server's status reports",
            ["ForgeApiUrl"] = "only the server's status reports",
            ["StatusToken"] = "only the server's status reports",
            ["StatusPerJob"] = "only the server's status reports",
            ["PullRequestComments"] = "only the server's status reports",
        });
        const string agent = "the job's run on its agent; decisions use its status";
        yield return new(statement, QueueSql.JobsOfBuildOfJob.Sql, "jobs", new Dictionary<string, string>
        {
            ["BuildId"] = "the rows are the build's",
            ["ProjectId"] = "the build's",
            ["Ordinal"] = "only orders listings (the rows are read in id order)",
            ["Attempt"] = "only the latest attempts are read",
            ["IsLatest"] = "only the latest attempts are read",
            ["EnvJson"] = "the job's definition, for the agent",
            ["TimeoutSeconds"] = "the job's definition, for the agent",
            ["MatrixJson"] = "the job's definition, for the agent",
            ["RunsOn"] = "matched by the lease",
            ["RetryMax"] = "applied at completion (EndJob returns it)",
            ["RetryOn"] = "applied at completion (EndJob returns it)",
            ["SpecJson"] = "the job's definition, for the agent",
            ["Priority"] = "only orders the queue",
            ["ConcurrencyGroup"] = "checked by the lease",
            ["LogBytes"] = "the log store's position",
            ["NextLogSequence"] = "the log store's position",
            ["QueuedAt"] = "written by the decision, never read by it",
            ["NotBefore"] = "checked by the lease (cooldown)",
            ["AgentId"] = agent,
            ["AgentName"] = agent,
            ["LeaseToken"] = agent,
            ["LeaseExpiresAt"] = agent,
            ["FinishedAt"] = "written by the decision, never read by it",
        });
    }

    /// <summary>The fenced updates of <see cref="BuildProgress.WriteAndCommitAsync"/>: what a decision changes
    /// (<see cref="Kiln.Core.Builds.BuildDecision"/>), each fenced on the status it read, and nothing else.</summary>
    private static IEnumerable<ColumnGuard> ProgressWrites()
    {
        var jobColumns = ColumnsOf("jobs");
        yield return Updated("build progress: job status change", QueueSql.ChangeJobStatus.Sql, "jobs", jobColumns,
            ["Status", "Message", "QueuedAt", "FinishedAt", "FailureReason"]);
        yield return Updated("build progress: cancel asked of a job", QueueSql.AskJobToCancel.Sql, "jobs", jobColumns,
            ["CancelRequested", "FailureReason"]);
        yield return Updated("build progress: build status change", QueueSql.ChangeBuildStatus.Sql, "builds", ColumnsOf("builds"),
            ["Status", "StartedAt", "FinishedAt"]);
    }

    /// <summary>A guard of an <c>UPDATE</c>'s <c>SET</c> list, which must be exactly <paramref name="written"/>:
    /// every other column of the table is left out on purpose, as a decision does not change it.</summary>
    private static ColumnGuard Updated(string statement, string sql, string table, IReadOnlyList<string> columns, string[] written) =>
        new(statement, SetListAsInsert(sql, table), table, columns.Except(written).ToDictionary(c => c, _ => "a decision does not change it"));

    /// <summary>The columns of <paramref name="table"/> in the model (the same on both databases).</summary>
    private static List<string> ColumnsOf(string table) => ColumnListTests.ModelColumns(table);

    /// <summary>An <c>UPDATE t SET "a" = …, "b" = …</c> written as <c>INSERT INTO t ("a", "b")</c>, the form the
    /// column reader takes a statement's written columns from.</summary>
    private static string SetListAsInsert(string sql, string table)
    {
        var set = sql[(sql.IndexOf(" SET ", StringComparison.Ordinal) + 5)..sql.IndexOf("WHERE", StringComparison.Ordinal)];
        var columns = System.Text.RegularExpressions.Regex.Matches(set, "\"(\\w+)\"\\s*=").Select(m => $"\"{m.Groups[1].Value}\"");
        return $"INSERT INTO {table} ({string.Join(", ", columns)})";
    }

    /// <summary>The read of a job just leased (<see cref="LeaseRules.LeasedJobWithSteps"/>): what the agent
    /// needs to run it (<see cref="LeasedJob"/>), no more; the rest is the server's bookkeeping.</summary>
    private static IEnumerable<ColumnGuard> LeaseRead(LeaseRules rules, string database)
    {
        var statement = $"leased job with steps ({database})";
        var sql = rules.LeasedJobWithSteps.Sql;
        yield return new(statement, sql, "jobs", new Dictionary<string, string>
        {
            ["ProjectId"] = "the project comes with the build (projects joined by the build's ProjectId)",
            ["Ordinal"] = "only orders listings",
            ["IsLatest"] = "a job being leased is its latest attempt",
            ["Status"] = "running, since the claim just set it",
            ["FailureReason"] = "set when the job ends",
            ["Needs"] = "decided by the server before the job was queued",
            ["AllowFailure"] = "the server applies it to the build's outcome",
            ["RunsOn"] = "matched by the lease; the agent gets the labels in SpecJson",
            ["RetryMax"] = "retries are the server's decision at completion",
            ["RetryOn"] = "retries are the server's decision at completion",
            ["Manual"] = "approval happens before the job is queued",
            ["Priority"] = "only orders the queue",
            ["ConcurrencyGroup"] = "checked by the claim; the agent gets it in SpecJson",
            ["AgentId"] = "the caller is that agent",
            ["AgentName"] = "the caller is that agent",
            ["CancelRequested"] = "a cancel reaches the agent through renew and watch",
            ["Message"] = "set when the job ends or is skipped",
            ["LogBytes"] = "the log store's position; the agent numbers chunks from 0",
            ["NextLogSequence"] = "the log store's position; the agent numbers chunks from 0",
            ["QueuedAt"] = "only the queue's bookkeeping",
            ["NotBefore"] = "checked by the lease (cooldown)",
            ["StartedAt"] = "the server's record; the lease is the start",
            ["FinishedAt"] = "set when the job ends",
        });
        yield return new(statement, sql, "builds", new Dictionary<string, string>
        {
            ["Id"] = "the job's BuildId is read instead",
            ["ProjectId"] = "used for the join to projects",
            ["Status"] = "the server's state; the build runs once a job of it is leased",
            ["Error"] = "the build's own failure, for the server to show; a job needs none of it",
            ["CancelRequested"] = "a cancel reaches the agent through renew and watch",
            ["CreatedAt"] = "only the server's record",
            ["StartedAt"] = "only the server's record",
            ["FinishedAt"] = "only the server's record",
            ["Forge"] = "the trigger's record, for the server to show and report to",
            ["DeliveryId"] = "the trigger's record, for the server to show",
            ["SkipReason"] = "a skipped build has no jobs to lease",
            ["FromFork"] = "applied at trigger time (a fork's jobs get no secrets in their plan)",
        });
        yield return new(statement, sql, "projects", new Dictionary<string, string>
        {
            ["Id"] = "used for the join",
            ["DefaultBranch"] = "the build's ref was resolved to a commit at trigger time",
            ["PipelineYaml"] = "parsed at trigger time; the job carries its planned settings",
            ["NextBuildNumber"] = "only the enqueue's counter",
            ["CreatedAt"] = "only the server's record",
            ["CooldownSeconds"] = "applied at enqueue (the job's NotBefore)",
            ["MaxRunningBuilds"] = "checked by the lease",
            ["Weight"] = "only the fair share between projects",
            ["WebhookSecret"] = "a server secret, checked when a webhook arrives",
            ["AllowedActors"] = "applied at trigger time",
            ["ForkPullRequests"] = "applied at trigger time (a fork's jobs get no secrets in their plan)",
            ["PollIntervalSeconds"] = "only the server's poller",
            ["Forge"] = "only the server's status reports",
            ["ForgeApiUrl"] = "only the server's status reports",
            ["StatusToken"] = "a server secret, for status reports",
            ["StatusPerJob"] = "only the server's status reports",
            ["PullRequestComments"] = "only the server's status reports",
        });
        yield return new(statement, sql, "steps", new Dictionary<string, string>
        {
            ["Id"] = "steps are reported by the job and the index",
            ["JobId"] = "the rows are the leased job's",
            ["Status"] = "all pending at the lease",
            ["ExitCode"] = "reported by the agent",
            ["StartedAt"] = "reported by the agent",
            ["FinishedAt"] = "reported by the agent",
        });
    }
}
