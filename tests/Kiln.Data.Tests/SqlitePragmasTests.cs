using Microsoft.EntityFrameworkCore;

namespace Kiln.Data.Tests;

/// <summary>The per-connection settings every SQLite connection of Kiln gets.</summary>
public sealed class SqlitePragmasTests : IAsyncLifetime
{
    private TestDatabase db = null!;

    public async Task InitializeAsync() => db = await TestDatabase.CreateAsync(this);

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Theory]
    [InlineData("synchronous", 1)] // NORMAL
    [InlineData("busy_timeout", 30000)] // SQLite waits for a lock itself, in short steps
    [InlineData("temp_store", 2)] // MEMORY
    public async Task Every_connection_gets_the_setting(string pragma, long expected)
    {
        await using var ctx = db.NewContext();
        await ctx.Database.OpenConnectionAsync();
        await using var command = ctx.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {pragma};";

        Assert.Equal(expected, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("synchronous", 1)]
    [InlineData("busy_timeout", 30000)]
    [InlineData("temp_store", 2)]
    [InlineData("foreign_keys", 1)] // EF Core turns them on for its own connections
    public async Task The_queues_shared_connection_gets_the_same_settings(string pragma, long expected)
    {
        await using var session = await db.QueueDatabase.OpenAsync(default);

        Assert.Equal(expected, await session.FirstOrDefaultAsync($"PRAGMA {pragma};", [], r => r.GetInt64(0), default));
    }
}
