using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kiln.Data.Sqlite;

/// <summary>Sets every connection up for a server: WAL so readers never block the writer,
/// a busy timeout so concurrent writers wait instead of failing, and NORMAL sync, which in WAL
/// mode loses nothing when a process crashes (only an OS crash can drop the last commits).</summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";

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
