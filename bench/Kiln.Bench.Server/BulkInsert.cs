using System.Data.Common;
using System.Globalization;
using System.Text;
using Kiln.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

/// <summary>Plain <c>INSERT</c>s of entities whose keys are already set, with the table, columns and
/// value conversions (status names) taken from <see cref="KilnDbContext"/>'s model, so the rows are
/// what EF Core would write, many times faster than <c>SaveChanges</c> (which tracks every entity and
/// reads each generated key back). SQLite gets one prepared single-row statement, run per row
/// (Microsoft.Data.Sqlite binds each parameter by name, a linear search, so a statement with
/// thousands of parameters is slow); PostgreSQL gets multi-row statements with positional parameters,
/// to save round trips.</summary>
internal static class BulkInsert
{
    /// <summary>Parameters in one PostgreSQL statement (at most 65,535 are allowed).</summary>
    private const int MaxParameters = 30_000;

    /// <summary>Inserts <paramref name="rows"/> on the context's connection, in its current transaction.</summary>
    public static async Task InsertAsync<T>(KilnDbContext db, IReadOnlyList<T> rows)
        where T : class
    {
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var properties = type.GetProperties().ToList();
        if (properties.FirstOrDefault(p => p.PropertyInfo is null) is { } shadow)
        {
            throw new InvalidOperationException($"{type.DisplayName()}.{shadow.Name} is a shadow property; the bulk insert reads CLR properties only");
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) VALUES ";
        var converters = properties.Select(p => p.GetValueConverter() ?? p.GetTypeMapping().Converter).ToList();
        var postgres = db.Database.IsNpgsql();
        var perStatement = postgres ? Math.Max(1, MaxParameters / properties.Count) : 1;
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                // The full-size statement is made once and run again with new values.
                using var partial = count == perStatement ? null : Command(db, head, properties.Count, count, postgres);
                var command = partial ?? (full ??= Command(db, head, properties.Count, count, postgres));
                for (var r = 0; r < count; r++)
                {
                    for (var c = 0; c < properties.Count; c++)
                    {
                        var value = properties[c].PropertyInfo!.GetValue(rows[start + r]);
                        if (value is not null && converters[c] is { } converter)
                        {
                            value = converter.ConvertToProvider(value);
                        }

                        command.Parameters[(r * properties.Count) + c].Value = value ?? DBNull.Value;
                    }
                }

                await command.ExecuteNonQueryAsync();
            }
        }
        finally
        {
            full?.Dispose();
        }
    }

    /// <summary>An insert of <paramref name="rows"/> rows with parameters <c>$1</c>, <c>$2</c>, … (named so for
    /// SQLite, positional for PostgreSQL), on the context's connection and transaction.</summary>
    private static DbCommand Command(KilnDbContext db, string head, int columns, int rows, bool postgres)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var text = new StringBuilder(head);
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns; c++)
            {
                var name = "$" + ((r * columns) + c + 1).ToString(CultureInfo.InvariantCulture);
                text.Append(c == 0 ? name : ", " + name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = postgres ? "" : name;
                command.Parameters.Add(parameter);
            }

            text.Append(')');
        }

        command.CommandText = text.ToString();
        return command;
    }
}
