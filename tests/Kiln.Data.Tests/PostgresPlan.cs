using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kiln.Data.Queue;

namespace Kiln.Data.Tests;

/// <summary>The plan PostgreSQL runs a queue statement on, as the queue's own connections do: the statement
/// is prepared with the parameter types Npgsql sends, then explained through <c>EXECUTE</c>, so that with
/// the queue's <c>plan_cache_mode = force_generic_plan</c> it is the generic plan, the one kept for the
/// connection's life, and not a plan made for these values. Explained with <c>ANALYZE</c> in a transaction
/// that is rolled back, since the lease writes.</summary>
internal sealed partial class PostgresPlan
{
    /// <summary>The tables that grow with the history kept, which no queue statement may read whole.</summary>
    private static readonly string[] LargeTables = ["jobs", "builds"];

    private readonly JsonElement root;

    private PostgresPlan(JsonElement root, long genericPlans, long customPlans)
    {
        this.root = root;
        GenericPlans = genericPlans;
        CustomPlans = customPlans;
    }

    public long GenericPlans { get; }

    public long CustomPlans { get; }

    /// <summary>Explains <paramref name="statement"/> as the queue runs it, bound from <paramref name="args"/>.</summary>
    public static Task<PostgresPlan> ExplainAsync<TArgs>(QueueDatabase database, SqlStatement<TArgs> statement, string[] types, TArgs args, string? beforeRun = null)
        where TArgs : ISqlArgs<TArgs> =>
        ExplainAsync(database, statement.Text, types, [.. statement.Bind(args).Select(v => v!)], beforeRun);

    /// <summary>Explains <paramref name="sql"/> (with <c>@p0</c>, … placeholders) run with
    /// <paramref name="values"/>, whose PostgreSQL types are <paramref name="types"/>.
    /// <paramref name="beforeRun"/> runs first in the same transaction (which is rolled back).</summary>
    public static async Task<PostgresPlan> ExplainAsync(QueueDatabase database, string sql, string[] types, object[] values, string? beforeRun = null)
    {
        var name = "kiln_plan_" + Guid.NewGuid().ToString("N");
        await using var session = await database.OpenAsync(default);
        await session.BeginAsync(default);
        try
        {
            if (beforeRun is not null)
            {
                await session.ExecuteAsync(beforeRun, [], default);
            }

            await session.ExecuteAsync($"PREPARE {name}({string.Join(", ", types)}) AS {Positional(sql)}", [], default);
            var json = await session.FirstOrDefaultAsync(
                $"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE {name}({string.Join(", ", values.Select(Literal))})", [], r => r.GetString(0), default);
            var (generic, custom) = await session.FirstOrDefaultAsync(
                $"SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = '{name}'", [], r => (r.GetInt64(0), r.GetInt64(1)), default);
            using var document = JsonDocument.Parse(json!);
            return new PostgresPlan(document.RootElement[0].Clone(), generic, custom);
        }
        finally
        {
            await session.RollbackAsync(default);
            await session.ExecuteAsync($"DEALLOCATE {name}", [], default);
        }
    }

    /// <summary>Every node of the plan, its init plans and sub plans (the CTEs) included.</summary>
    public IEnumerable<JsonElement> Nodes() => Below(root.GetProperty("Plan")).Prepend(root.GetProperty("Plan"));

    /// <summary>The nodes that read <paramref name="table"/> whole (<c>Seq Scan</c>), by alias.</summary>
    public IReadOnlyList<string> SequentialScans(string table) =>
        Nodes().Where(n => n.GetProperty("Node Type").GetString() == "Seq Scan" && n.TryGetProperty("Relation Name", out var r) && r.GetString() == table)
            .Select(n => n.GetProperty("Alias").GetString()!).ToList();

    /// <summary>Shared buffers the execution touched (hit or read). The top node's count includes every node
    /// it ran; the data-modifying CTEs that the main query does not read PostgreSQL runs after it, so each
    /// of those is added, less what it counted of another such CTE it read (a claim that its build's start
    /// reads is counted once).</summary>
    public long Buffers()
    {
        var top = root.GetProperty("Plan");
        var modifying = Children(top).Where(c => c.GetProperty("Node Type").GetString() == "ModifyTable").ToList();
        var names = modifying.Select(m => m.GetProperty("Subplan Name").GetString()!.Replace("CTE ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        return Touched(top) + modifying.Sum(m => Touched(m) - Below(m)
            .Where(n => n.TryGetProperty("CTE Name", out var cte) && names.Contains(cte.GetString()!))
            .Sum(Touched));
    }

    private static IEnumerable<JsonElement> Children(JsonElement node) =>
        node.TryGetProperty("Plans", out var children) ? children.EnumerateArray() : [];

    private static IEnumerable<JsonElement> Below(JsonElement node) => Children(node).SelectMany(c => Below(c).Prepend(c));

    private static long Touched(JsonElement node) => node.GetProperty("Shared Hit Blocks").GetInt64() + node.GetProperty("Shared Read Blocks").GetInt64();

    /// <summary>What is wrong with the plan against what the statement is tuned for; empty if nothing: it must
    /// be the generic plan, read neither jobs nor builds whole, read each name the statement gives a table
    /// (<c>h</c>, and PostgreSQL's <c>h_1</c>, … for its copies) the way given in <paramref name="access"/> (an
    /// index's name or a node type, such as <c>Tid Scan</c>), and touch at most <paramref name="bufferCeiling"/> buffers.</summary>
    public IReadOnlyList<string> Problems(IEnumerable<(string Alias, string Access)> access, long bufferCeiling)
    {
        var problems = new List<string>();
        if (GenericPlans < 1 || CustomPlans != 0)
        {
            problems.Add($"not the generic plan ({GenericPlans} generic, {CustomPlans} custom)");
        }

        problems.AddRange(LargeTables.SelectMany(t => SequentialScans(t).Select(alias => $"a sequential scan of {t} (as {alias})")));
        foreach (var (alias, how) in access)
        {
            var reads = Nodes().Where(n => n.TryGetProperty("Alias", out var a) && (a.GetString() == alias || a.GetString()!.StartsWith(alias + "_", StringComparison.Ordinal))).ToList();
            if (!reads.Any(n => (n.TryGetProperty("Index Name", out var i) && i.GetString() == how) || n.GetProperty("Node Type").GetString() == how))
            {
                var seen = reads.Select(n => n.GetProperty("Node Type").GetString() + (n.TryGetProperty("Index Name", out var i) ? " " + i.GetString() : ""));
                problems.Add($"{alias} is not read by {how} (but by: {string.Join(", ", seen)})");
            }
        }

        if (Buffers() is var buffers && buffers > bufferCeiling)
        {
            problems.Add($"{buffers} buffers, above the ceiling of {bufferCeiling}");
        }

        return problems;
    }

    private static string Positional(string sql) =>
        Placeholder().Replace(sql, m => "$" + (int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture));

    private static string Literal(object value) => value switch
    {
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        DateTime t => "'" + t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) + "'",
        long[] ids => "ARRAY[" + string.Join(", ", ids.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]::bigint[]",
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"No literal for {value.GetType().Name}", nameof(value)),
    };

    [GeneratedRegex(@"@p([0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
