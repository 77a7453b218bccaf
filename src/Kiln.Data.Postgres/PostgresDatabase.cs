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
    /// every execution, prepared or not: the lease's statement, which runs in a fraction of a
    /// millisecond, took 120–160 ms (once 2.8 s) whenever a plan made on a young database's statistics
    /// was estimated above the bar (in the queue bench a round's leases fell from about 1,700 a second to
    /// 33). Kiln's queries are all short.</summary>
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
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // The generic builder knows only the keys the string has (Npgsql's own claims them all).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        var options = builder.ConnectionStringBuilder.Options ?? "";
        if (!options.Contains("jit", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.Options = (options + " " + NoJit).Trim();
        }

        return builder.Build();
    }

    /// <summary>For a connection that <c>LISTEN</c>s: not pooled, so it never goes back to a pool still
    /// listening (and it is held open for the server's life anyway).</summary>
    public static NpgsqlDataSource CreateListenDataSource(string connectionString) =>
        new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { Pooling = false } }.Build();

    /// <summary>The queue's connections (<see cref="QueueDatabase"/>): from the same pool as EF Core's.</summary>
    public static QueueDatabase CreateQueueDatabase(NpgsqlDataSource dataSource) => QueueDatabase.Pooled(dataSource);

    private static string? MigrationsAssembly => typeof(PostgresDatabase).Assembly.GetName().Name;
}
