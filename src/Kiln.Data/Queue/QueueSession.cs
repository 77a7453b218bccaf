using System.Data.Common;

namespace Kiln.Data.Queue;

/// <summary>One statement of <see cref="QueueSession.BatchAsync"/>, with what to do with each row it returns.
/// A statement that returns rows (a <c>SELECT</c>, or <c>RETURNING</c>) must have a <see cref="Row"/>, even
/// if only <see cref="Ignore"/>: a batch's results are matched to its statements by that.</summary>
internal sealed record Statement(string Sql, object?[] Values, Action<DbDataReader>? Row = null)
{
    public static void Ignore(DbDataReader row)
    {
    }
}

/// <summary>One queue operation's use of a connection (<see cref="QueueDatabase.OpenAsync"/>): statements
/// with positional parameters <c>@p0</c>, <c>@p1</c>, … (as <see cref="SqlStatement{TArgs}"/> makes them from named ones), and at most one transaction, rolled back on
/// dispose unless committed. Where <paramref name="positional"/> is given (PostgreSQL), it turns each
/// statement's <c>@pN</c> placeholders into the provider's own positional ones, and parameters go unnamed.</summary>
internal sealed class QueueSession(
    DbConnection connection, Func<string, DbCommand> commandFor, bool ownsCommands, Func<string, string>? positional, Func<ValueTask> release)
    : IAsyncDisposable
{
    private static readonly Statement Commit = new("COMMIT", []);

    /// <summary>Commits and begins the next transaction in one statement. A <c>SET LOCAL</c> ends with the
    /// transaction it was made in, so the next one commits synced again unless it says otherwise.</summary>
    private static readonly Statement CommitAndBegin = new("COMMIT AND CHAIN", []);
    private static readonly Statement Unsynced = new("SET LOCAL synchronous_commit = off", []);

    private DbTransaction? transaction;

    public async Task BeginAsync(CancellationToken cancellationToken) =>
        transaction = await connection.BeginTransactionAsync(cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await transaction!.CommitAsync(cancellationToken);
        await EndTransactionAsync();
    }

    /// <summary>Runs the statements as <see cref="BatchAsync"/> does, then commits: on PostgreSQL the
    /// <c>COMMIT</c> travels in the same batch, so it costs no round trip of its own, and any locks are
    /// held only while the server works. If a statement fails, those after it, the <c>COMMIT</c> among
    /// them, are not run, and disposing the session rolls the transaction back.
    /// <para>On PostgreSQL, bookkeeping runs around the statements in transactions of their own, in the same
    /// round trip, whose commits do not wait for the disk, so the rows they write are not held locked while
    /// the disk syncs: <paramref name="unsyncedBefore"/> commit before the statements run,
    /// <paramref name="unsyncedAfter"/> after they commit. A crash may lose them unless the statements'
    /// commit synced: it syncs everything logged before it, so what the statements read of
    /// <paramref name="unsyncedBefore"/> is never lost. (SQLite runs all three in one transaction.)</para></summary>
    /// <returns>For each of <paramref name="statements"/>, what <see cref="BatchAsync"/> returns.</returns>
    public async Task<int[]> CommitWithAsync(
        IReadOnlyList<Statement> unsyncedBefore, IReadOnlyList<Statement> statements, IReadOnlyList<Statement> unsyncedAfter, CancellationToken cancellationToken)
    {
        if (!connection.CanCreateBatch)
        {
            var affected = await BatchAsync([.. unsyncedBefore, .. statements, .. unsyncedAfter], cancellationToken);
            await CommitAsync(cancellationToken);
            return affected[unsyncedBefore.Count..(unsyncedBefore.Count + statements.Count)];
        }

        // The session's transaction is open (Npgsql sends its BEGIN with the batch's first statement).
        var batch = new List<Statement>();
        if (unsyncedBefore.Count > 0)
        {
            batch.AddRange([Unsynced, .. unsyncedBefore, CommitAndBegin]);
        }

        var first = batch.Count;
        batch.AddRange(statements);
        batch.AddRange(unsyncedAfter.Count > 0 ? [CommitAndBegin, Unsynced, .. unsyncedAfter, Commit] : [Commit]);

        var all = await BatchAsync(batch, cancellationToken);
        // The server has ended the transaction; Npgsql sees that and sends nothing on dispose.
        await EndTransactionAsync();
        return all[first..(first + statements.Count)];
    }

    public async Task RollbackAsync(CancellationToken cancellationToken)
    {
        await transaction!.RollbackAsync(cancellationToken);
        await EndTransactionAsync();
    }

    /// <summary>Runs <paramref name="statement"/> (made by <see cref="SqlStatement{TArgs}.With"/>, no row reader)
    /// and returns the rows it changed.</summary>
    public Task<int> ExecuteAsync(Statement statement, CancellationToken cancellationToken) =>
        ExecuteAsync(statement.Sql, statement.Values, cancellationToken);

    /// <summary>Every row of <paramref name="statement"/>, each read by <paramref name="read"/>.</summary>
    public Task<List<T>> QueryAsync<T>(Statement statement, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        QueryAsync(statement.Sql, statement.Values, read, cancellationToken);

    /// <summary>The first row of <paramref name="statement"/> read by <paramref name="read"/>, or the default if there is none.</summary>
    public Task<T?> FirstOrDefaultAsync<T>(Statement statement, Func<DbDataReader, T> read, CancellationToken cancellationToken) =>
        FirstOrDefaultAsync(statement.Sql, statement.Values, read, cancellationToken);

    public async Task<int> ExecuteAsync(string sql, object?[] values, CancellationToken cancellationToken)
    {
        var command = Command(sql, values);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await ReturnAsync(command);
        }
    }

    /// <summary>Every row, each read by <paramref name="read"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, object?[] values, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var command = Command(sql, values);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        finally
        {
            await ReturnAsync(command);
        }
    }

    /// <summary>The first row read by <paramref name="read"/>, or the default if there is none.</summary>
    public async Task<T?> FirstOrDefaultAsync<T>(string sql, object?[] values, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var command = Command(sql, values);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? read(reader) : default;
        }
        finally
        {
            await ReturnAsync(command);
        }
    }

    /// <summary>Runs the statements in order: in one round trip where the provider batches (PostgreSQL),
    /// one by one where it does not (SQLite, where a statement costs no round trip). Each statement's
    /// rows go to its <see cref="Statement.Row"/>. Returns, for each statement, the rows it changed or,
    /// if it returns rows, how many it returned.</summary>
    public async Task<int[]> BatchAsync(IReadOnlyList<Statement> statements, CancellationToken cancellationToken)
    {
        var affected = new int[statements.Count];
        if (!connection.CanCreateBatch)
        {
            for (var i = 0; i < statements.Count; i++)
            {
                var (sql, values, row) = statements[i];
                affected[i] = row is null
                    ? await ExecuteAsync(sql, values, cancellationToken)
                    : (await QueryAsync(sql, values, r =>
                    {
                        row(r);
                        return 0;
                    }, cancellationToken)).Count;
            }

            return affected;
        }

        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var (sql, values, _) in statements)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = positional?.Invoke(sql) ?? sql;
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = NewParameter(command.CreateParameter(), i);
                parameter.Value = values[i] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            batch.BatchCommands.Add(command);
        }

        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // Only statements that return rows have a result set, in order.
            var first = true;
            for (var i = 0; i < statements.Count; i++)
            {
                if (statements[i].Row is not { } row)
                {
                    continue;
                }

                if (!first)
                {
                    await reader.NextResultAsync(cancellationToken);
                }

                first = false;
                while (await reader.ReadAsync(cancellationToken))
                {
                    row(reader);
                    affected[i]++;
                }
            }
        }

        for (var i = 0; i < statements.Count; i++)
        {
            if (statements[i].Row is null)
            {
                affected[i] = batch.BatchCommands[i].RecordsAffected;
            }
        }

        return affected;
    }

    public async ValueTask DisposeAsync()
    {
        if (transaction is not null)
        {
            await EndTransactionAsync();
        }

        await release();
    }

    private DbCommand Command(string sql, object?[] values)
    {
        var command = commandFor(sql);
        command.Transaction = transaction;
        var text = positional?.Invoke(sql) ?? sql;
        if (command.CommandText != text)
        {
            command.CommandText = text;
            command.Parameters.Clear();
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.Add(NewParameter(command.CreateParameter(), i));
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    private DbParameter NewParameter(DbParameter parameter, int index)
    {
        if (positional is null)
        {
            parameter.ParameterName = "p" + index;
        }

        return parameter;
    }

    private ValueTask ReturnAsync(DbCommand command) => ownsCommands ? command.DisposeAsync() : ValueTask.CompletedTask;

    private async Task EndTransactionAsync()
    {
        // Disposing an uncommitted transaction rolls it back.
        await transaction!.DisposeAsync();
        transaction = null;
    }
}
