using Kiln.Data.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Kiln.Data.Postgres;

/// <summary>PostgreSQL, for several servers sharing one database. Timestamps are
/// <c>timestamp with time zone</c> (Npgsql's default, no legacy behaviour): every DateTime Kiln
/// writes is UTC, and one that arrives unspecified is taken as UTC by <see cref="PostgresModel"/>.</summary>
public static class PostgresDatabase
{
    public static DbContextOptionsBuilder UseKilnPostgres(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, o => o.MigrationsAssembly(MigrationsAssembly))
            .ReplaceService<IModelCustomizer, PostgresModel>();

    /// <summary>As above on a data source the caller owns (a server shares one with its queue).</summary>
    public static DbContextOptionsBuilder UseKilnPostgres(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options
            .UseNpgsql(dataSource, o => o.MigrationsAssembly(MigrationsAssembly))
            .ReplaceService<IModelCustomizer, PostgresModel>();

    /// <summary>PostgreSQL's JIT compiles a query whose estimated cost passes <c>jit_above_cost</c> anew on
    /// every execution, prepared or not: whenever a plan of the lease's statement made on a young
    /// database's statistics was estimated above the bar, every lease paid for a compilation that took
    /// far longer than the query (docs/queue-performance.md). Kiln's queries are all short.</summary>
    private const string NoJit = "-c jit=off";

    /// <summary>A data source for Kiln. Unless the connection string says otherwise: PostgreSQL's JIT is
    /// off (<see cref="NoJit"/>, in the startup options, so it costs no statement); statements that run
    /// often are prepared on the server (Npgsql's auto-prepare), so PostgreSQL plans the queue's queries
    /// once per connection instead of on every lease; and a connection going back to the pool is not
    /// reset (Npgsql's reset is seven statements, parsed and run before the next use, a good part of the
    /// server's work for a queue operation). Nothing Kiln does outlives a transaction on a pooled
    /// connection: settings are transaction-local, advisory locks transaction-scoped, and the one session
    /// setting (<c>NewBuildRows</c>' build number) is written before each use; <c>LISTEN</c> has its own,
    /// unpooled data source (<see cref="CreateListenDataSource"/>).</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString) =>
        new NpgsqlDataSourceBuilder(WithKilnDefaults(connectionString)).Build();

    private static string WithKilnDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The generic builder knows only the keys the string has (Npgsql's own claims them all).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        var options = builder.Options ?? "";
        if (!options.Contains("jit", StringComparison.OrdinalIgnoreCase))
        {
            builder.Options = (options + " " + NoJit).Trim();
        }

        return builder.ConnectionString;
    }

    /// <summary>For a connection that <c>LISTEN</c>s: not pooled, so it never goes back to a pool still
    /// listening (and it is held open for the server's life anyway).</summary>
    public static NpgsqlDataSource CreateListenDataSource(string connectionString) =>
        new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { Pooling = false } }.Build();

    /// <summary>How the queue's connections plan (<see cref="CreateQueueDatabase"/>): in the startup options,
    /// so that it costs no statement.</summary>
    private const string QueuePlanning = "-c plan_cache_mode=force_generic_plan -c random_page_cost=1.1";

    /// <summary>The queue's connections (<see cref="QueueDatabase"/>): a pool of their own, set up as
    /// <see cref="CreateDataSource"/>'s, whose statements run on their prepared, generic plans, the same
    /// whatever the parameters, with the page cost of tables read from memory. Left to choose, PostgreSQL
    /// ran the claim and the candidates on plans that cost more as more jobs ran. A generic plan is made
    /// once per connection, often while the tables are still small, and kept; with the default random
    /// page cost of 4, PostgreSQL then read all jobs to find the candidates' rows for as long as the
    /// connection lived. The queue's tables are read from memory, where a key lookup costs about what a
    /// sequential read does, and 1.1 (the usual setting for SSDs) says so. (The figures:
    /// docs/queue-performance.md; the plans are held by Kiln.Data.Tests' PostgresLeasePlanTests.) EF
    /// Core's connections, in the other pool, keep the server's settings. The queue database owns its
    /// pool.</summary>
    public static QueueDatabase CreateQueueDatabase(string connectionString)
    {
        // The connection string's own options come after, so that they win.
        var builder = new NpgsqlConnectionStringBuilder(WithKilnDefaults(connectionString));
        builder.Options = (QueuePlanning + " " + builder.Options).Trim();
        return QueueDatabase.Pooled(new NpgsqlDataSourceBuilder(builder.ConnectionString).Build());
    }

    private static string? MigrationsAssembly => typeof(PostgresDatabase).Assembly.GetName().Name;
}
