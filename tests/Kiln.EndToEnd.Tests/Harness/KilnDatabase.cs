using System.Reflection;
using Kiln.Tests;
using Xunit.Sdk;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>The database a <see cref="KilnServerProcess"/> keeps its state in.</summary>
public enum KilnDatabase
{
    /// <summary>Embedded SQLite in the server's data folder (the default).</summary>
    Sqlite,

    /// <summary>A fresh database of its own on the <c>KILN_TEST_POSTGRES</c> server, dropped afterwards.</summary>
    Postgres,
}

/// <summary>The <see cref="KilnDatabase.Postgres"/> row of a theory that runs on both databases
/// (<c>[Theory, InlineData(KilnDatabase.Sqlite), PostgresData]</c>). Like <c>[PostgresFact]</c> it is
/// skipped without <c>KILN_TEST_POSTGRES</c> unless <c>CI=true</c>, where it runs and fails instead, so
/// CI cannot pass by skipping the PostgreSQL half.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresDataAttribute : DataAttribute
{
    public PostgresDataAttribute()
    {
        if (TestPostgres.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[KilnDatabase.Postgres]];
}
