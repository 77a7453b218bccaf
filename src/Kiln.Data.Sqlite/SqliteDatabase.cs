using Kiln.Data.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Sqlite;

/// <summary>Embedded SQLite: one file, <c>kiln.db</c>, in the data folder.</summary>
public static class SqliteDatabase
{
    public static string ConnectionString(string dataDirectory) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(dataDirectory, "kiln.db"),
        Pooling = true,
        DefaultTimeout = 30,
        // EF Core turns them on for its connections by itself; the queue's connection needs telling.
        ForeignKeys = true,
    }.ToString();

    public static DbContextOptionsBuilder UseKilnSqlite(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseSqlite(connectionString, o => o.MigrationsAssembly(typeof(SqliteDatabase).Assembly.GetName().Name))
            .AddInterceptors(SqlitePragmas.Instance);

    /// <summary>The queue's connection (<see cref="QueueDatabase"/>) to the same file, with the same
    /// per-connection settings as EF Core's connections.</summary>
    public static QueueDatabase CreateQueueDatabase(string connectionString) =>
        QueueDatabase.Shared(SqliteFactory.Instance.CreateDataSource(connectionString), SqlitePragmas.Pragmas);

    /// <summary>Puts the database file in WAL mode (persistent), so readers never block the writer.</summary>
    public static Task PrepareAsync(DbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
}
