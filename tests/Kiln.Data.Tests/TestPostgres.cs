using Npgsql;

namespace Kiln.Tests;

/// <summary>The PostgreSQL server for tests: <c>KILN_TEST_POSTGRES</c> holds its connection string
/// (scripts/test.sh starts a private one and sets it). Each test makes its own database,
/// <c>kiln_test_&lt;guid&gt;</c>, and drops it at the end. Without the variable the PostgreSQL tests
/// are skipped on a laptop, but fail when <c>CI=true</c>, so CI can never pass by skipping them.
/// (Shared by Kiln.Data.Tests, Kiln.Server.Tests and Kiln.EndToEnd.Tests as a linked file.)</summary>
internal static class TestPostgres
{
    public const string Variable = "KILN_TEST_POSTGRES";

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    private static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        ServerConnectionString is null && !OnCi
            ? $"{Variable} is not set (scripts/test.sh starts a PostgreSQL server and sets it)."
            : null;

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = ServerConnectionString
            ?? throw new InvalidOperationException($"{Variable} is not set, and CI=true requires the PostgreSQL tests to run: start a server (scripts/test.sh does) and set {Variable}.");
        var name = "kiln_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing its pooled connections first.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A fact that needs PostgreSQL: skipped without <c>KILN_TEST_POSTGRES</c> unless <c>CI=true</c>.</summary>
internal sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestPostgres.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
