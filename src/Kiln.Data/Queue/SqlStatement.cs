using System.Data.Common;
using System.Text.RegularExpressions;

namespace Kiln.Data.Queue;

/// <summary>The arguments of one kind of statement, a record whose properties bind by name to the
/// statement's <c>@Name</c> parameters. Each record lists its properties once (<see cref="Names"/>) and
/// returns their values in that order (<see cref="Values"/>), written by hand beside the record: no
/// reflection, and nothing per call but the array the provider gets anyway.</summary>
internal interface ISqlArgs<TSelf>
    where TSelf : ISqlArgs<TSelf>
{
    /// <summary>The parameter names, in the order of <see cref="Values"/>.</summary>
    static abstract IReadOnlyList<string> Names { get; }

    /// <summary>The values, in the order of <see cref="Names"/>.</summary>
    object?[] Values();
}

/// <summary>A statement that takes no arguments.</summary>
internal readonly record struct NoArgs : ISqlArgs<NoArgs>
{
    public static IReadOnlyList<string> Names { get; } = [];

    public object?[] Values() => [];
}

/// <summary>One hand-written statement, its parameters named (<c>@JobId</c>) after the properties of its
/// argument record <typeparamref name="TArgs"/>. The names are turned into the session's positional
/// placeholders (<c>@p0</c>, … <see cref="QueueSession"/>) once, here, so binding costs nothing per call; a
/// name the record lacks fails at once, where the statement is made. Properties the text does not use are
/// not sent (PostgreSQL refuses parameters a statement does not have), so one record may serve both
/// dialects' texts.</summary>
internal sealed partial class SqlStatement<TArgs>
    where TArgs : ISqlArgs<TArgs>
{
    /// <summary>For each positional placeholder, the index of its value in <see cref="ISqlArgs{TSelf}.Values"/>;
    /// null when every value is used, in order.</summary>
    private readonly int[]? used;

    public SqlStatement(string sql)
    {
        Sql = sql;
        var names = TArgs.Names;
        var usedNames = new List<int>();
        foreach (Match match in Parameter().Matches(sql))
        {
            var index = IndexOf(names, match.Groups[1].Value)
                ?? throw new ArgumentException($"The statement names @{match.Groups[1].Value}, which {typeof(TArgs).Name} has not.", nameof(sql));
            if (!usedNames.Contains(index))
            {
                usedNames.Add(index);
            }
        }

        usedNames.Sort();
        Text = Parameter().Replace(sql, m => "@p" + usedNames.IndexOf(IndexOf(names, m.Groups[1].Value)!.Value).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var all = usedNames.Count == names.Count;
        used = all ? null : [.. usedNames];
    }

    /// <summary>The text as written, with named parameters.</summary>
    public string Sql { get; }

    /// <summary>The text as the session runs it, with positional placeholders <c>@p0</c>, <c>@p1</c>, …</summary>
    public string Text { get; }

    /// <summary>The values to send for <paramref name="args"/>, in the order of <see cref="Text"/>'s placeholders.</summary>
    public object?[] Bind(TArgs args)
    {
        var values = args.Values();
        if (used is null)
        {
            return values;
        }

        var sent = new object?[used.Length];
        for (var i = 0; i < used.Length; i++)
        {
            sent[i] = values[used[i]];
        }

        return sent;
    }

    /// <summary>The statement with <paramref name="args"/>, for a batch; <paramref name="row"/> reads each
    /// row it returns (see <see cref="Statement"/>).</summary>
    public Statement With(TArgs args, Action<DbDataReader>? row = null) => new(Text, Bind(args), row);

    private static int? IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>A named parameter: <c>@</c> and an identifier that starts with a letter (PostgreSQL's
    /// <c>&lt;@</c> operator is followed by a space).</summary>
    [GeneratedRegex("@([A-Za-z][A-Za-z0-9_]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();
}

/// <summary>The ordinals of a result's columns, each looked up by its name (<see cref="DbDataReader.GetOrdinal"/>)
/// once per result set, so that rows are read by name and a column moved in the text cannot be read as
/// another. Each reading declares a record struct of ordinals with its own <see cref="Of"/>.</summary>
internal interface IResultColumns<TSelf>
    where TSelf : struct, IResultColumns<TSelf>
{
    /// <summary>The ordinals of the columns in <paramref name="reader"/>'s current result set.</summary>
    static abstract TSelf Of(DbDataReader reader);
}

/// <summary>Row readers that resolve their columns' ordinals on the first row (<see cref="IResultColumns{TSelf}"/>).</summary>
internal static class NamedRows
{
    /// <summary>A row callback for a batch's statement (<see cref="Statement.Row"/>): <paramref name="read"/>
    /// gets each row with the ordinals found on the first.</summary>
    public static Action<DbDataReader> Each<TColumns>(Action<DbDataReader, TColumns> read)
        where TColumns : struct, IResultColumns<TColumns>
    {
        TColumns? columns = null;
        return r =>
        {
            columns ??= TColumns.Of(r);
            read(r, columns.GetValueOrDefault());
        };
    }

    /// <summary>As <see cref="Each{TColumns}"/>, for the session's queries that return what they read.</summary>
    public static Func<DbDataReader, T> Each<TColumns, T>(Func<DbDataReader, TColumns, T> read)
        where TColumns : struct, IResultColumns<TColumns>
    {
        TColumns? columns = null;
        return r =>
        {
            columns ??= TColumns.Of(r);
            return read(r, columns.GetValueOrDefault());
        };
    }
}
