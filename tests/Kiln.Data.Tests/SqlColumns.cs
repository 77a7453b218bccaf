using System.Text.RegularExpressions;

namespace Kiln.Data.Tests;

/// <summary>A column named in a statement: the alias (or table) it is qualified with, null if bare.</summary>
internal sealed record ColumnRef(string? Qualifier, string Column);

/// <summary>Reads the column lists of the queue's hand-written SQL from its text: an <c>INSERT</c>'s column
/// list, and the items of a statement's outermost <c>SELECT</c> list. Only as much SQL as those texts use:
/// quoted identifiers, <c>table AS alias</c>, parentheses and string literals.</summary>
internal static partial class SqlColumns
{
    /// <summary>The table and columns of the statement's <c>INSERT INTO t (…)</c>, or null if it has none.</summary>
    public static (string Table, IReadOnlyList<string> Columns)? Inserted(string sql)
    {
        var match = InsertInto().Match(sql);
        if (!match.Success)
        {
            return null;
        }

        var columns = match.Groups["columns"].Value.Split(',').Select(c => Unquote(c.Trim())).ToList();
        return (Unquote(match.Groups["table"].Value), columns);
    }

    /// <summary>The items of the first <c>SELECT</c> list outside parentheses (so not a CTE's or a
    /// subquery's), each as the columns it names, in order. An item's own name (<c>AS "x"</c>) is not a column.</summary>
    public static IReadOnlyList<IReadOnlyList<ColumnRef>> SelectList(string sql)
    {
        var select = TopLevelKeyword(sql, "SELECT", 0) ?? throw new ArgumentException("The statement has no top-level SELECT.", nameof(sql));
        var start = select + "SELECT".Length;
        var end = TopLevelKeyword(sql, "FROM", start) ?? sql.Length;
        return SplitTopLevel(sql[start..end])
            .Select(item => (IReadOnlyList<ColumnRef>)Reference().Matches(ItemName().Replace(item, ""))
                .Select(m => new ColumnRef(m.Groups["qualifier"].Success ? m.Groups["qualifier"].Value : null, m.Groups["column"].Value))
                .ToList())
            .ToList();
    }

    /// <summary>The aliases the statement gives <paramref name="table"/> (<c>FROM t AS a</c>, <c>JOIN t AS a</c>, <c>UPDATE t AS a</c>).</summary>
    public static IReadOnlySet<string> AliasesOf(string sql, string table) =>
        TableAlias().Matches(sql).Where(m => m.Groups["table"].Value == table).Select(m => m.Groups["alias"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Where <paramref name="keyword"/> first stands as a word outside parentheses, quotes and
    /// literals, from <paramref name="from"/> on.</summary>
    private static int? TopLevelKeyword(string sql, string keyword, int from)
    {
        var depth = 0;
        char? quote = null;
        for (var i = from; i < sql.Length; i++)
        {
            var c = sql[i];
            if (quote is { } q)
            {
                quote = c == q ? null : q;
                continue;
            }

            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                default:
                    if (depth == 0 && IsWordAt(sql, i, keyword))
                    {
                        return i;
                    }

                    break;
            }
        }

        return null;
    }

    private static bool IsWordAt(string sql, int i, string word) =>
        string.Compare(sql, i, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
        && (i == 0 || !IsWordChar(sql[i - 1]))
        && (i + word.Length == sql.Length || !IsWordChar(sql[i + word.Length]));

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '"' or '.';

    /// <summary>The list split at its commas outside parentheses, quotes and literals.</summary>
    private static List<string> SplitTopLevel(string list)
    {
        var items = new List<string>();
        var depth = 0;
        char? quote = null;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            var c = list[i];
            if (quote is { } q)
            {
                quote = c == q ? null : q;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                items.Add(list[start..i].Trim());
                start = i + 1;
            }
        }

        items.Add(list[start..].Trim());
        return items;
    }

    private static string Unquote(string identifier) => identifier.Trim('"');

    [GeneratedRegex("""INSERT\s+INTO\s+(?<table>"?\w+"?)\s*\((?<columns>[^)]*)\)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InsertInto();

    /// <summary>A quoted column, qualified or not; string literals hold no double quotes in these texts.</summary>
    [GeneratedRegex(""""(?:\b(?<qualifier>\w+)\.)?"(?<column>[^"]+)"(?!")"""", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    /// <summary>An item's trailing <c>AS name</c> (not one inside a <c>CAST(… AS type)</c>).</summary>
    [GeneratedRegex("""\s+AS\s+"?\w+"?\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ItemName();

    [GeneratedRegex("""\b(?:FROM|JOIN|UPDATE)\s+"?(?<table>\w+)"?\s+AS\s+(?<alias>\w+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TableAlias();
}
