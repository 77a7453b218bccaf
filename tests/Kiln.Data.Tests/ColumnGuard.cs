namespace Kiln.Data.Tests;

/// <summary>One hand-written statement's use of one table: every column of the table in the model must
/// be named by the statement or be in <see cref="Omitted"/>, with the reason it is left out on purpose.
/// The columns named are read from <see cref="Sql"/> (<see cref="SqlColumns"/>): an <c>INSERT</c>'s column
/// list when it inserts into <see cref="Table"/>, else the columns of its outermost <c>SELECT</c> list
/// qualified with the table's aliases (bare ones when the statement gives the table no alias).</summary>
internal sealed record ColumnGuard(string Statement, string Sql, string Table, IReadOnlyDictionary<string, string> Omitted)
{
    public string Name => $"{Statement}: {Table}";

    public override string ToString() => Name;

    /// <summary>The columns of <see cref="Table"/> the statement names, in order, repeats kept.</summary>
    public IReadOnlyList<string> Named()
    {
        if (SqlColumns.Inserted(Sql) is { } insert && insert.Table == Table)
        {
            return insert.Columns;
        }

        var aliases = SqlColumns.AliasesOf(Sql, Table);
        return SqlColumns.SelectList(Sql)
            .SelectMany(item => item)
            .Where(c => c.Qualifier is { } q ? q == Table || aliases.Contains(q) : aliases.Count == 0)
            .Select(c => c.Column)
            .ToList();
    }

    /// <summary>What is wrong with the statement's column list against the table's columns in the model;
    /// empty if nothing.</summary>
    public IReadOnlyList<string> Problems(IReadOnlyCollection<string> modelColumns)
    {
        var named = Named();
        var problems = new List<string>();
        if (named.Count == 0)
        {
            problems.Add($"{Name}: the statement names no column of {Table} (is the table or the alias right?)");
        }

        problems.AddRange(modelColumns.Where(c => !named.Contains(c) && !Omitted.ContainsKey(c))
            .Select(c => $"{Name}: column \"{c}\" is neither in the statement nor left out on purpose (add it, or add it to the omitted columns with the reason)"));
        problems.AddRange(named.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{Name}: column \"{g.Key}\" is named {g.Count()} times"));
        problems.AddRange(named.Distinct(StringComparer.Ordinal).Where(c => !modelColumns.Contains(c))
            .Select(c => $"{Name}: column \"{c}\" is not a column of {Table} in the model"));
        problems.AddRange(Omitted.Keys.Where(named.Contains)
            .Select(c => $"{Name}: column \"{c}\" is said to be left out but the statement names it"));
        problems.AddRange(Omitted.Keys.Where(c => !modelColumns.Contains(c))
            .Select(c => $"{Name}: column \"{c}\" is said to be left out but the model has no such column (a stale entry)"));
        problems.AddRange(Omitted.Where(o => string.IsNullOrWhiteSpace(o.Value))
            .Select(o => $"{Name}: column \"{o.Key}\" is left out without a reason"));
        return problems;
    }
}
