using Kiln.Data.Postgres;
using Kiln.Data.Queue;
using Kiln.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Kiln.Data.Tests;

/// <summary>The queue's hand-written SQL against <see cref="KilnDbContext"/>'s model (<see cref="ColumnGuards"/>):
/// a column added to an entity that an insert misses would be left at its default, and one a read misses
/// would never reach the agent, with no error either way. Both databases' models, since each adjusts the shared one.</summary>
public sealed class ColumnListTests
{
    private static readonly Lazy<IModel> SqliteModel = new(() => ModelOf(o => o.UseKilnSqlite("Data Source=:memory:")));
    private static readonly Lazy<IModel> PostgresModel = new(() => ModelOf(o => o.UseKilnPostgres("Host=127.0.0.1")));

    public static TheoryData<string> Guards => [.. ColumnGuards.All.Select(g => g.Name)];

    [Theory]
    [MemberData(nameof(Guards))]
    public void A_statement_names_every_column_of_its_table_or_says_why_it_leaves_it_out(string guard)
    {
        var g = ColumnGuards.Named(guard);

        Assert.Empty(g.Problems(Columns(SqliteModel.Value, g.Table)));
        Assert.Empty(g.Problems(Columns(PostgresModel.Value, g.Table)));
    }

    /// <summary>The guard itself: a statement that drops a column, names one twice, or leaves one out that
    /// the model no longer has is reported.</summary>
    [Fact]
    public void The_guard_reports_a_missing_repeated_or_stale_column()
    {
        var insert = ColumnGuards.Named("new build (SQLite): jobs");
        var columns = Columns(SqliteModel.Value, "jobs");

        var dropped = insert with { Sql = insert.Sql.Replace("\"NotBefore\",", "", StringComparison.Ordinal) };
        Assert.Contains(dropped.Problems(columns), p => p.Contains("\"NotBefore\" is neither", StringComparison.Ordinal));

        var twice = insert with { Sql = insert.Sql.Replace("\"NotBefore\",", "\"NotBefore\", \"Name\",", StringComparison.Ordinal) };
        Assert.Contains(twice.Problems(columns), p => p.Contains("\"Name\" is named 2 times", StringComparison.Ordinal));

        var read = ColumnGuards.Named("leased job with steps (SQLite): steps");
        var stale = read with { Omitted = new Dictionary<string, string>(read.Omitted) { ["Gone"] = "was removed" } };
        Assert.Contains(stale.Problems(Columns(SqliteModel.Value, "steps")), p => p.Contains("\"Gone\" is said to be left out but the model", StringComparison.Ordinal));

        var noStepIndex = read with { Sql = read.Sql.Replace("s.\"Index\" AS \"StepIndex\", ", "", StringComparison.Ordinal) };
        Assert.Contains(noStepIndex.Problems(Columns(SqliteModel.Value, "steps")), p => p.Contains("\"Index\" is neither", StringComparison.Ordinal));
    }

    public static TheoryData<bool> Databases => [false, true];

    private static readonly string[] LeaseReadTables = ["jobs", "builds", "projects", "steps"];

    /// <summary>The lease's read (read by name, <see cref="LeasedJobColumns"/>) selects exactly what a leased job
    /// carries: the job's own fields, then its build's and project's, then the step's, each in the order of
    /// <see cref="LeasedJob"/>, <see cref="LeasedBuild"/> and <see cref="LeasedStep"/>.</summary>
    [Theory]
    [MemberData(nameof(Databases))]
    public void The_lease_read_selects_what_a_leased_job_carries_in_the_order_it_is_read(bool postgres)
    {
        var model = postgres ? PostgresModel.Value : SqliteModel.Value;
        var sql = (postgres ? LeaseRules.Postgres : LeaseRules.Sqlite).LeasedJobWithSteps.Sql;
        var expected = Carried(model, typeof(LeasedJob), "jobs")
            .Concat(Carried(model, typeof(LeasedBuild), "builds"))
            .Concat(Carried(model, typeof(LeasedStep), "steps"))
            .ToList();
        var tableOf = LeaseReadTables
            .SelectMany(t => SqlColumns.AliasesOf(sql, t).Select(a => (Alias: a, Table: t)))
            .ToDictionary(x => x.Alias, x => x.Table);

        var selected = SqlColumns.SelectList(sql)
            .Select(item => Assert.Single(item))
            .Select(c => $"{tableOf[c.Qualifier!]}.{c.Column}")
            .ToList();

        Assert.Equal(expected, selected);
    }

    /// <summary>The columns a lease record's fields come from, in the record's order: the column of the same
    /// name in <paramref name="table"/>, except the project's name and repository; nested records left out.</summary>
    private static IEnumerable<string> Carried(IModel model, Type record, string table)
    {
        var fromProject = new Dictionary<string, string> { [nameof(LeasedBuild.ProjectName)] = "Name", [nameof(LeasedBuild.RepoUrl)] = "RepoUrl" };
        foreach (var field in record.GetConstructors().Single().GetParameters())
        {
            if (field.ParameterType == typeof(LeasedBuild) || field.ParameterType == typeof(IReadOnlyList<LeasedStep>))
            {
                continue;
            }

            var (from, property) = record == typeof(LeasedBuild) && fromProject.TryGetValue(field.Name!, out var p) ? ("projects", p) : (table, field.Name!);
            var entity = model.GetEntityTypes().Single(e => e.GetTableName() == from);
            var column = entity.FindProperty(property)?.GetColumnName(StoreObjectIdentifier.Table(from, entity.GetSchema()))
                ?? throw new InvalidOperationException($"{record.Name}.{field.Name} has no column {property} in {from}: say where it comes from here");
            yield return $"{from}.{column}";
        }
    }

    /// <summary>The columns of <paramref name="table"/> in the SQLite model (for guards that list what a statement leaves out).</summary>
    internal static List<string> ModelColumns(string table) => Columns(SqliteModel.Value, table);

    private static List<string> Columns(IModel model, string table)
    {
        var entities = model.GetEntityTypes().Where(e => e.GetTableName() == table).ToList();
        Assert.NotEmpty(entities);
        return entities
            .SelectMany(e => e.GetProperties().Select(p => p.GetColumnName(StoreObjectIdentifier.Table(table, e.GetSchema()))))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static IModel ModelOf(Action<DbContextOptionsBuilder> provider)
    {
        var options = new DbContextOptionsBuilder<KilnDbContext>();
        provider(options);
        using var db = new KilnDbContext(options.Options);
        return db.Model;
    }
}
