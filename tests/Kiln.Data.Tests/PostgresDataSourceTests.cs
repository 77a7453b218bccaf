using Kiln.Data.Postgres;
using Kiln.Tests;
using Npgsql;

namespace Kiln.Data.Tests;

/// <summary>The Npgsql settings Kiln chooses unless the connection string says otherwise (a data source
/// connects only when first used, so only the test of what the server sees needs PostgreSQL).</summary>
public sealed class PostgresDataSourceTests
{
    [Fact]
    public async Task Pooled_connections_are_auto_prepared_and_not_reset_by_default()
    {
        await using var source = PostgresDatabase.CreateDataSource("Host=127.0.0.1;Username=kiln");

        var settings = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.True(settings.Pooling);
    }

    [Fact]
    public async Task The_connection_string_overrides_the_defaults()
    {
        await using var source = PostgresDatabase.CreateDataSource("Host=127.0.0.1;Username=kiln;Max Auto Prepare=0;No Reset On Close=false");

        var settings = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.False(settings.NoResetOnClose);
    }

    [PostgresFact]
    public async Task Connections_have_postgres_jit_off_unless_the_connection_string_sets_it()
    {
        Assert.Equal("off", (await SettingsAsync(TestPostgres.ServerConnectionString!)).Jit);
        var given = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString) { Options = "-c jit=on" };
        Assert.Equal("on", (await SettingsAsync(given.ConnectionString)).Jit);
        // Other startup options in the connection string are kept, and JIT turned off beside them.
        given.Options = "-c application_name=mine";
        Assert.Equal(("off", "mine"), await SettingsAsync(given.ConnectionString));
    }

    private static async Task<(string Jit, string ApplicationName)> SettingsAsync(string connectionString)
    {
        await using var source = PostgresDatabase.CreateDataSource(connectionString);
        await using var command = source.CreateCommand("SELECT current_setting('jit'), current_setting('application_name')");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetString(1));
    }

    [PostgresFact]
    public async Task The_queues_connections_plan_generically_with_the_page_cost_of_memory_and_no_jit()
    {
        Assert.Equal(("force_generic_plan", "1.1", "off"), await QueueSettingsAsync(TestPostgres.ServerConnectionString!));
        // The connection string's own startup options win.
        var given = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString) { Options = "-c random_page_cost=2" };
        Assert.Equal(("force_generic_plan", "2", "off"), await QueueSettingsAsync(given.ConnectionString));
        // EF Core's connections keep the server's settings.
        await using var source = PostgresDatabase.CreateDataSource(TestPostgres.ServerConnectionString!);
        await using var command = source.CreateCommand("SELECT current_setting('plan_cache_mode')");
        Assert.Equal("auto", await command.ExecuteScalarAsync());
    }

    private static async Task<(string, string, string)> QueueSettingsAsync(string connectionString)
    {
        await using var queue = PostgresDatabase.CreateQueueDatabase(connectionString);
        await using var session = await queue.OpenAsync(default);
        return await session.FirstOrDefaultAsync(
            "SELECT current_setting('plan_cache_mode'), current_setting('random_page_cost'), current_setting('jit')", [],
            r => (r.GetString(0), r.GetString(1), r.GetString(2)), default);
    }

    [Fact]
    public async Task The_listen_connection_is_not_pooled()
    {
        await using var source = PostgresDatabase.CreateListenDataSource("Host=127.0.0.1;Username=kiln");

        Assert.False(new NpgsqlConnectionStringBuilder(source.ConnectionString).Pooling);
    }
}
