using System.Text;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Expands a <see cref="MatrixDefinition"/> into the combinations a job runs with.
/// <list type="number">
/// <item>The cartesian product of the axes, in file order (the last axis varies fastest).</item>
/// <item>Minus every combination an <c>exclude</c> entry matches: one whose values equal all of the entry's.</item>
/// <item>Then each <c>include</c> entry, in order: it extends every combination of step 2 that has the
/// same values for the entry's keys that are axes (all of them, when it names no axis) with its other
/// keys; when it extends none, it is a combination of its own.</item>
/// </list>
/// A combination lists the axes in file order, then the keys includes added, in the order first seen.
/// </summary>
public static class MatrixExpander
{
    /// <summary>Most combinations a pipeline file may give one job.</summary>
    public const int MaxCombinations = 256;

    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Expand(MatrixDefinition matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var combinations = new List<List<KeyValuePair<string, string>>>();
        if (matrix.Axes.Count > 0)
        {
            Product(matrix, combinations);
        }

        combinations.RemoveAll(c => matrix.Exclude.Any(e => Matches(c, e)));
        var original = combinations.Count;
        var axes = matrix.Axes.Select(a => a.Axis).ToHashSet(StringComparer.Ordinal);
        foreach (var include in matrix.Include)
        {
            var extended = false;
            for (var i = 0; i < original; i++)
            {
                var combination = combinations[i];
                if (include.Where(p => axes.Contains(p.Key)).All(p => ValueOf(combination, p.Key) == p.Value))
                {
                    extended = true;
                    foreach (var (key, value) in include.Where(p => !axes.Contains(p.Key)))
                    {
                        Set(combination, key, value);
                    }
                }
            }

            if (!extended)
            {
                var own = matrix.Axes.Where(a => include.ContainsKey(a.Axis)).Select(a => new KeyValuePair<string, string>(a.Axis, include[a.Axis]))
                    .Concat(include.Where(p => !axes.Contains(p.Key)))
                    .ToList();
                combinations.Add(own);
            }
        }

        return combinations;
    }

    /// <summary>The product of the axis sizes, or <see cref="long.MaxValue"/> when it does not fit.</summary>
    public static long ProductSize(MatrixDefinition matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.Axes.Count == 0)
        {
            return 0;
        }

        long size = 1;
        foreach (var (_, values) in matrix.Axes)
        {
            if (values.Count != 0 && size > long.MaxValue / values.Count)
            {
                return long.MaxValue;
            }

            size *= values.Count;
        }

        return size;
    }

    /// <summary><c>test (shard=2, os=a)</c>; the id alone for the empty combination.</summary>
    public static string JobName(string id, IReadOnlyList<KeyValuePair<string, string>> combination)
    {
        ArgumentNullException.ThrowIfNull(combination);
        if (combination.Count == 0)
        {
            return id;
        }

        var name = new StringBuilder(id).Append(" (");
        for (var i = 0; i < combination.Count; i++)
        {
            name.Append(i == 0 ? "" : ", ").Append(combination[i].Key).Append('=').Append(combination[i].Value);
        }

        return name.Append(')').ToString();
    }

    private static void Product(MatrixDefinition matrix, List<List<KeyValuePair<string, string>>> into)
    {
        var index = new int[matrix.Axes.Count];
        while (true)
        {
            if (matrix.Axes.Any(a => a.Values.Count == 0))
            {
                return;
            }

            var combination = new List<KeyValuePair<string, string>>(matrix.Axes.Count);
            for (var a = 0; a < index.Length; a++)
            {
                combination.Add(new(matrix.Axes[a].Axis, matrix.Axes[a].Values[index[a]]));
            }

            into.Add(combination);
            var axis = index.Length - 1;
            while (axis >= 0 && ++index[axis] == matrix.Axes[axis].Values.Count)
            {
                index[axis] = 0;
                axis--;
            }

            if (axis < 0)
            {
                return;
            }
        }
    }

    private static bool Matches(List<KeyValuePair<string, string>> combination, IReadOnlyDictionary<string, string> entry) =>
        entry.All(p => ValueOf(combination, p.Key) == p.Value);

    private static string? ValueOf(List<KeyValuePair<string, string>> combination, string key)
    {
        foreach (var (k, v) in combination)
        {
            if (k == key)
            {
                return v;
            }
        }

        return null;
    }

    private static void Set(List<KeyValuePair<string, string>> combination, string key, string value)
    {
        var at = combination.FindIndex(p => p.Key == key);
        if (at >= 0)
        {
            combination[at] = new(key, value);
        }
        else
        {
            combination.Add(new(key, value));
        }
    }
}
