using System.Text.RegularExpressions;
using Kiln.Data.Queue;

namespace Kiln.Data.Tests;

/// <summary>The plan SQLite runs a queue statement on (<c>EXPLAIN QUERY PLAN</c>, one line per step), on the
/// queue's own connection, in a transaction that is rolled back.</summary>
internal sealed class SqlitePlan
{
    private static readonly string[] LargeTables = ["jobs", "builds"];

    private readonly string sql;

    private SqlitePlan(string sql, IReadOnlyList<string> steps)
    {
        this.sql = sql;
        Steps = steps;
    }

    /// <summary>Each step's text, such as <c>SEARCH h USING INDEX IX_jobs_… (Status=? AND ProjectId=?)</c>.</summary>
    public IReadOnlyList<string> Steps { get; }

    /// <summary>Explains <paramref name="statement"/> as the queue runs it, bound from <paramref name="args"/>.</summary>
    public static Task<SqlitePlan> ExplainAsync<TArgs>(QueueDatabase database, SqlStatement<TArgs> statement, TArgs args, string? beforeRun = null)
        where TArgs : ISqlArgs<TArgs> =>
        ExplainAsync(database, statement.Text, statement.Bind(args), beforeRun);

    /// <summary>Explains <paramref name="sql"/> with <paramref name="values"/>; <paramref name="beforeRun"/>
    /// runs first in the same transaction.</summary>
    public static async Task<SqlitePlan> ExplainAsync(QueueDatabase database, string sql, object?[] values, string? beforeRun = null)
    {
        await using var session = await database.OpenAsync(default);
        await session.BeginAsync(default);
        try
        {
            if (beforeRun is not null)
            {
                await session.ExecuteAsync(beforeRun, [], default);
            }

            return new SqlitePlan(sql, await session.QueryAsync("EXPLAIN QUERY PLAN " + sql, values, r => r.GetString(3), default));
        }
        finally
        {
            await session.RollbackAsync(default);
        }
    }

    /// <summary>The steps that walk every row of jobs or builds, the tables that grow with the history kept, or
    /// every entry of one of their indexes (<c>SCAN</c>, under any name the statement gives them), rather
    /// than searching by key.</summary>
    public IReadOnlyList<string> ScansOfLargeTables()
    {
        var names = LargeTables.SelectMany(t => SqlColumns.AliasesOf(sql, t).Append(t)).Select(Regex.Escape);
        var scan = new Regex($@"^SCAN ({string.Join("|", names)})\b", RegexOptions.CultureInvariant);
        return Steps.Where(s => scan.IsMatch(s)).ToList();
    }

    /// <summary>What is wrong with the plan against what the statement is tuned for; empty if nothing.
    /// <paramref name="searches"/>: each name the statement gives a table, and the index it must be searched
    /// by (<c>INTEGER PRIMARY KEY</c> for a lookup by row id), with the search's keys where they matter
    /// (such as <c>Status=? AND ProjectId=?</c>; an index searched by fewer keys is walked further).</summary>
    public IReadOnlyList<string> Problems(IEnumerable<(string Alias, string Index, string? Keys)> searches)
    {
        var problems = ScansOfLargeTables().Select(s => $"a scan of a whole table: {s}").ToList();
        foreach (var (alias, index, keys) in searches)
        {
            var by = index == "INTEGER PRIMARY KEY" ? "INTEGER PRIMARY KEY" : $"(COVERING )?INDEX {Regex.Escape(index)}";
            var search = new Regex($@"^SEARCH {Regex.Escape(alias)} USING {by}( \({(keys is null ? "" : Regex.Escape(keys) + @"\)")}|$)", RegexOptions.CultureInvariant);
            if (!Steps.Any(search.IsMatch))
            {
                problems.Add($"{alias} is not searched by {index}{(keys is null ? "" : $" ({keys})")} (the plan: {string.Join(" | ", Steps)})");
            }
        }

        return problems;
    }
}
