using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kiln.Data.Sqlite;

/// <summary>Per-connection settings: NORMAL sync, which in WAL mode loses nothing when a process
/// crashes (only an OS crash can drop the last commits). WAL itself is a property of the database
/// file, set once by <see cref="SqliteDatabase.PrepareAsync"/>; busy waits come from the connection
/// string's default timeout (Microsoft.Data.Sqlite retries a busy database until it passes);
/// EF Core turns foreign keys on by itself.</summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

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
