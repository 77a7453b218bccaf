using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kiln.Data.Sqlite;

/// <summary>Per-connection settings: NORMAL sync, which in WAL mode loses nothing when a process
/// crashes (only an OS crash can drop the last commits); and SQLite's own busy timeout, so a writer
/// that finds the database locked waits inside SQLite in steps of a few milliseconds. Without it
/// Microsoft.Data.Sqlite retries a busy statement after sleeping 150 ms each time, which under
/// concurrent writers (leases, log chunks, reports) stalled requests for whole 150 ms steps.
/// Temporary tables and sort b-trees (the lease's query makes two) stay in memory instead of temp files.
/// WAL itself is a property of the database file, set once by <see cref="SqliteDatabase.PrepareAsync"/>;
/// EF Core turns foreign keys on by itself.</summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA temp_store=MEMORY;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
