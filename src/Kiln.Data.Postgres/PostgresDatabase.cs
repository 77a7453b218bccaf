using Kiln.Data.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Kiln.Data.Postgres;

/// <summary>PostgreSQL, for several servers sharing one database. Timestamps are
/// <c>timestamp with time zone</c> (Npgsql's default, no legacy behaviour): every DateTime Kiln
/// writes is UTC, and one that arrives unspecified is taken as UTC by <see cref="UtcDateTimes"/>.</summary>
public static class PostgresDatabase
{
    public static DbContextOptionsBuilder UseKilnPostgres(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, o => o.MigrationsAssembly(MigrationsAssembly))
            .ReplaceService<IModelCustomizer, UtcDateTimes>();

    /// <summary>As above on a data source the caller owns (a server shares one with its LISTEN connection).</summary>
    public static DbContextOptionsBuilder UseKilnPostgres(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options
            .UseNpgsql(dataSource, o => o.MigrationsAssembly(MigrationsAssembly))
            .ReplaceService<IModelCustomizer, UtcDateTimes>();

    /// <summary>A data source for Kiln: unless the connection string says otherwise, statements that run
    /// often are prepared on the server (Npgsql's auto-prepare), so PostgreSQL plans the queue's queries
    /// once per connection instead of on every lease.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // The generic builder knows only the keys the string has (Npgsql's own claims them all).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        return builder.Build();
    }

    /// <summary>The queue's connections (<see cref="QueueDatabase"/>): from the same pool as EF Core's.</summary>
    public static QueueDatabase CreateQueueDatabase(NpgsqlDataSource dataSource) => QueueDatabase.Pooled(dataSource);

    private static string? MigrationsAssembly => typeof(PostgresDatabase).Assembly.GetName().Name;
}
