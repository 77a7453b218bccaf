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

    private static string? MigrationsAssembly => typeof(PostgresDatabase).Assembly.GetName().Name;
}
