using System.Reflection;
using Kiln.Data.Queue;

namespace Kiln.Data.Tests;

/// <summary>The typed statements' binding (<see cref="SqlStatement{TArgs}"/>): names become positional
/// placeholders in the order of the record, unused properties are not sent, and every argument record lists
/// its properties in the order of its constructor and returns their values in that order.</summary>
public sealed class SqlStatementTests
{
    [Fact]
    public void Named_parameters_become_positional_in_the_records_order_and_unused_ones_are_not_sent()
    {
        var statement = new SqlStatement<LeasedArgs>("""SELECT 1 FROM jobs WHERE "StartedAt" <= @Now AND "LeaseToken" = @LeaseToken OR "LeaseToken" = @LeaseToken""");

        Assert.Equal("""SELECT 1 FROM jobs WHERE "StartedAt" <= @p1 AND "LeaseToken" = @p0 OR "LeaseToken" = @p0""", statement.Text);
        var now = new DateTime(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(["t", now], statement.Bind(new LeasedArgs("t", 5, now)));
    }

    [Fact]
    public void A_name_the_record_lacks_fails_where_the_statement_is_made()
    {
        var e = Assert.Throws<ArgumentException>(() => new SqlStatement<JobArgs>("""SELECT 1 FROM jobs WHERE "Id" = @JobID"""));
        Assert.Contains("@JobID", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> ArgumentRecords =>
        [.. typeof(SqlStatement<>).Assembly.GetTypes().Where(IsArgs).Select(t => t.FullName!)];

    [Theory]
    [MemberData(nameof(ArgumentRecords))]
    public void An_argument_record_lists_its_constructors_parameters_and_returns_their_values_in_order(string typeName)
    {
        var type = typeof(SqlStatement<>).Assembly.GetType(typeName)!;
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        var names = (IReadOnlyList<string>)type.GetProperty("Names", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

        Assert.Equal(parameters.Select(p => p.Name), names);
        var given = parameters.Select((p, i) => Sample(p.ParameterType, i)).ToArray();
        var values = (object?[])type.GetMethod("Values")!.Invoke(constructor.Invoke(given), null)!;
        Assert.Equal(given, values);
    }

    private static bool IsArgs(Type t) =>
        t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition().Name == "ISqlArgs`1") && t.GetConstructors().Any(c => c.GetParameters().Length > 0);

    /// <summary>A value of <paramref name="type"/> that differs for each <paramref name="i"/> where the type allows.</summary>
    private static object? Sample(Type type, int i)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t switch
        {
            _ when t == typeof(long) => (long)(1000 + i),
            _ when t == typeof(int) => 2000 + i,
            _ when t == typeof(bool) => i % 2 == 0,
            _ when t == typeof(string) => "v" + i,
            _ when t == typeof(DateTime) => new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i),
            _ when t == typeof(object) => "o" + i,
            _ => throw new ArgumentException($"No sample for {t.Name}", nameof(type)),
        };
    }
}
