using Kiln.Tests;

namespace Kiln.Data.Tests;

/// <summary>A theory that needs PostgreSQL, as <see cref="PostgresFactAttribute"/> a fact: skipped without
/// <c>KILN_TEST_POSTGRES</c> unless <c>CI=true</c>. (Not beside it in TestPostgres.cs, which other test
/// projects link and would carry unused.)</summary>
internal sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (TestPostgres.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
