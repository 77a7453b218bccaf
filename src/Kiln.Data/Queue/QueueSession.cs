using System.Data.Common;

namespace Kiln.Data.Queue;

/// <summary>One queue operation's use of a connection (<see cref="QueueDatabase.OpenAsync"/>): statements
/// with positional parameters <c>@p0</c>, <c>@p1</c>, …, and at most one transaction, rolled back on
/// dispose unless committed.</summary>
internal sealed class QueueSession(DbConnection connection, Func<string, DbCommand> commandFor, bool ownsCommands, Func<ValueTask> release)
    : IAsyncDisposable
{
    private DbTransaction? transaction;

    public async Task BeginAsync(CancellationToken cancellationToken) =>
        transaction = await connection.BeginTransactionAsync(cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await transaction!.CommitAsync(cancellationToken);
        await EndTransactionAsync();
    }

    public async Task RollbackAsync(CancellationToken cancellationToken)
    {
        await transaction!.RollbackAsync(cancellationToken);
        await EndTransactionAsync();
    }

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
        if (command.CommandText != sql)
        {
            command.CommandText = sql;
            command.Parameters.Clear();
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "p" + i;
                command.Parameters.Add(parameter);
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    private ValueTask ReturnAsync(DbCommand command) => ownsCommands ? command.DisposeAsync() : ValueTask.CompletedTask;

    private async Task EndTransactionAsync()
    {
        // Disposing an uncommitted transaction rolls it back.
        await transaction!.DisposeAsync();
        transaction = null;
    }
}
