using Kiln.Tests;

namespace Kiln.Data.Tests;

/// <summary>A database seeded by <see cref="QueueSeeder"/>, shared by the plan tests of one class: seeding
/// takes seconds, and those tests change nothing (each runs its statement in a transaction it rolls back).
/// On PostgreSQL the tables are analyzed, as autovacuum would have done on a server that has run a while.</summary>
public abstract class SeededQueueFixture(bool postgres) : IAsyncLifetime
{
    private TestDatabase? db;
    private SeededQueue? seeded;

    internal TestDatabase Db => db ?? throw new InvalidOperationException("PostgreSQL tests are skipped here.");

    internal SeededQueue Seeded => seeded!;

    public async Task InitializeAsync()
    {
        if (postgres && TestPostgres.SkipReason is not null)
        {
            return;
        }

        db = await TestDatabase.CreateAsync(postgres);
        seeded = await QueueSeeder.SeedAsync(db);
        if (postgres)
        {
            await using var session = await db.QueueDatabase.OpenAsync(default);
            await session.ExecuteAsync("ANALYZE", [], default);
        }
    }

    public async Task DisposeAsync()
    {
        if (db is not null)
        {
            await db.DisposeAsync();
        }
    }
}

public sealed class SeededSqliteQueue() : SeededQueueFixture(postgres: false);

public sealed class SeededPostgresQueue() : SeededQueueFixture(postgres: true);
