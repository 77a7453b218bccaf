using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Kiln.Data.Queue;

/// <summary>Where the queue's hot statements (lease, complete, renew) run: on ADO.NET directly rather
/// than through EF Core, whose per-statement work cost more than the statements themselves.
/// <para>SQLite: one connection held open and shared, one operation at a time. SQLite has one writer
/// anyway, so waiting here costs nothing, and the connection keeps each statement prepared
/// (Microsoft.Data.Sqlite keeps a statement only as long as its command object, and EF Core makes a new
/// command every time: dotnet/efcore#14044). PostgreSQL: a pooled connection per operation, so servers
/// and agents are served in parallel; Npgsql's auto-prepare keeps the statements prepared per connection.</para></summary>
public sealed partial class QueueDatabase : IAsyncDisposable
{
    private readonly DbDataSource source;
    private readonly string? connectionSetup;
    private readonly SemaphoreSlim? gate;
    private readonly Dictionary<string, DbCommand> prepared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> positionalTexts = new(StringComparer.Ordinal);
    private DbConnection? shared;

    private QueueDatabase(DbDataSource source, bool postgres, string? connectionSetup)
    {
        this.source = source;
        this.connectionSetup = connectionSetup;
        IsPostgres = postgres;
        gate = postgres ? null : new SemaphoreSlim(1, 1);
    }

    /// <summary>SQLite: one shared connection, <paramref name="connectionSetup"/> run once when it opens.
    /// The queue database owns <paramref name="source"/> and disposes it.</summary>
    public static QueueDatabase Shared(DbDataSource source, string connectionSetup) => new(source, postgres: false, connectionSetup);

    /// <summary>PostgreSQL: a connection from <paramref name="source"/>'s pool per operation. The queue
    /// database owns <paramref name="source"/> and disposes it.</summary>
    public static QueueDatabase Pooled(DbDataSource source) => new(source, postgres: true, connectionSetup: null);

    internal bool IsPostgres { get; }

    internal LeaseRules Rules => IsPostgres ? LeaseRules.Postgres : LeaseRules.Sqlite;

    internal async Task<QueueSession> OpenAsync(CancellationToken cancellationToken)
    {
        if (gate is null)
        {
            var connection = await source.OpenConnectionAsync(cancellationToken);
            return new QueueSession(connection, sql => connection.CreateCommand(), ownsCommands: true, PositionalSql, () => connection.DisposeAsync());
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            var connection = await SharedConnectionAsync(cancellationToken);
            return new QueueSession(connection, PreparedCommand, ownsCommands: false, positional: null, () =>
            {
                gate.Release();
                return ValueTask.CompletedTask;
            });
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>The shared connection, opened again (with fresh commands) if it was closed or broke.</summary>
    private async Task<DbConnection> SharedConnectionAsync(CancellationToken cancellationToken)
    {
        if (shared is { State: System.Data.ConnectionState.Open })
        {
            return shared;
        }

        await DropSharedAsync();
        shared = await source.OpenConnectionAsync(cancellationToken);
        await using var setup = shared.CreateCommand();
        setup.CommandText = connectionSetup;
        await setup.ExecuteNonQueryAsync(cancellationToken);
        return shared;
    }

    /// <summary>PostgreSQL: the statement with Npgsql's positional placeholders (<c>$1</c>, <c>$2</c>, …) in
    /// place of <c>@p0</c>, <c>@p1</c>, …, so that Npgsql sends it as it is: with named ones it parsed and
    /// rewrote every statement on every execution, the largest single cost of the queue's own code in the
    /// server's process (Npgsql's <c>SqlQueryParser</c>; docs/queue-performance.md). The queue's statements are
    /// a fixed set of texts, each translated once; the bound only guards against a caller that builds texts.</summary>
    private string PositionalSql(string sql)
    {
        if (positionalTexts.TryGetValue(sql, out var text))
        {
            return text;
        }

        text = Placeholder().Replace(sql, m => "$" + (int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture));
        if (positionalTexts.Count < 1000)
        {
            positionalTexts.TryAdd(sql, text);
        }

        return text;
    }

    [GeneratedRegex(@"@p([0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    private DbCommand PreparedCommand(string sql)
    {
        if (!prepared.TryGetValue(sql, out var command))
        {
            command = shared!.CreateCommand();
            prepared[sql] = command;
        }

        return command;
    }

    private async Task DropSharedAsync()
    {
        foreach (var command in prepared.Values)
        {
            await command.DisposeAsync();
        }

        prepared.Clear();
        if (shared is not null)
        {
            await shared.DisposeAsync();
            shared = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (gate is not null)
        {
            await gate.WaitAsync();
            await DropSharedAsync();
            gate.Release();
        }

        await source.DisposeAsync();
    }
}
