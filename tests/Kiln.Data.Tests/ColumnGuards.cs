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

    /// <summary>The read of a job just leased (<see cref="LeaseRules.LeasedJobWithSteps"/>): what the agent
    /// needs to run it (<see cref="LeasedJob"/>), no more; the rest is the server's bookkeeping.</summary>
    private static IEnumerable<ColumnGuard> LeaseRead(LeaseRules rules, string database)
    {
        var statement = $"leased job with steps ({database})";
        var sql = rules.LeasedJobWithSteps;
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
