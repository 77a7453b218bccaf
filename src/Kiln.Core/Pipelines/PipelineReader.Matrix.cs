using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary><c>matrix</c> and <c>when</c>.</summary>
internal sealed partial class PipelineReader
{
    /// <summary>Most combinations of the axes alone that are worked out to count what exclude and include leave.</summary>
    private const long MaxProductToExpand = 4096;

    /// <summary>
    /// <c>matrix: { shard: [1, 2], os: [a, b], include: [{ shard: 3, os: a }], exclude: [{ shard: 1, os: b }] }</c>.
    /// Errors about the whole matrix (too many combinations, none, repeated ones) point at the key.
    /// </summary>
    public MatrixDefinition? ReadMatrix(YamlScalar key, YamlValue value, string path, string owner)
    {
        if (value is not YamlMapping mapping)
        {
            Errors.Add(value.Location, $"'matrix' must be a mapping of axes to lists of values, not a {value.KindName}", path, "write 'matrix: { shard: [1, 2, 3] }'");
            return null;
        }

        var errorsBefore = Errors.Count;
        var axes = new List<(string Axis, IReadOnlyList<string> Values)>();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal); // KILN_MATRIX_X -> the key it came from
        YamlValue? include = null, exclude = null;
        foreach (var (axis, item) in mapping.Entries)
        {
            var itemPath = $"{path}.{axis.Value}";
            switch (axis.Value)
            {
                case "include":
                    include = item;
                    continue;
                case "exclude":
                    exclude = item;
                    continue;
            }

            if (!CheckMatrixKey(axis, itemPath, variables))
            {
                continue;
            }

            if (item is not YamlSequence sequence)
            {
                Errors.Add(item.Location, $"matrix axis '{axis.Value}' must be a list of values, not a {item.KindName}", itemPath, $"write '{axis.Value}: [a, b]'");
                continue;
            }

            if (sequence.Items.Count == 0)
            {
                Errors.Add(sequence.Location, $"matrix axis '{axis.Value}' is empty", itemPath);
                continue;
            }

            var values = sequence.Items.Select(v => ReadMatrixValue(v, itemPath)).OfType<string>().ToList();
            axes.Add((axis.Value, values));
        }

        var axisNames = axes.Select(a => a.Axis).ToList();
        var excludes = exclude is null ? [] : ReadMatrixEntries(exclude, $"{path}.exclude", "exclude", axisNames, variables);
        var includes = include is null ? [] : ReadMatrixEntries(include, $"{path}.include", "include", axisNames, variables);
        if (axes.Count == 0 && includes.Count == 0 && Errors.Count == errorsBefore)
        {
            Errors.Add(key.Location, $"the matrix of {owner} has no axes", path, "add an axis like 'shard: [1, 2, 3]'");
        }

        if (Errors.Count != errorsBefore)
        {
            return null;
        }

        var matrix = new MatrixDefinition { Axes = axes, Include = includes, Exclude = excludes };
        return CheckCombinations(matrix, key, path, owner) ? matrix : null;
    }

    public WhenDefinition? ReadWhen(YamlValue value, string path)
    {
        if (value is not YamlMapping mapping)
        {
            Errors.Add(value.Location, $"'when' must be a mapping of conditions (branches, tags, events, changes), not a {value.KindName}", path);
            return null;
        }

        if (mapping.Entries.Count == 0)
        {
            Errors.Add(mapping.Location, "'when' has no conditions", path, "add branches, tags, events or changes, or remove 'when'");
            return null;
        }

        var draft = new WhenDraft();
        ReadMapping(mapping, PipelineKeys.When, draft, path, "in 'when'");
        return new WhenDefinition { Branches = draft.Branches, Tags = draft.Tags, Events = draft.Events, Changes = draft.Changes };
    }

    private bool CheckMatrixKey(YamlScalar key, string path, Dictionary<string, string> variables)
    {
        if (!IsName(key.Value))
        {
            Errors.Add(key.Location, $"matrix axis '{key.Value}' must start with a letter or '_' and hold only letters, digits, '_' and '-'", path);
            return false;
        }

        var variable = Interpolator.VariableName("KILN_MATRIX_", key.Value);
        if (variables.TryGetValue(variable, out var other) && other != key.Value)
        {
            Errors.Add(key.Location, $"matrix keys '{other}' and '{key.Value}' would both be {variable}", path, "rename one of them");
            return false;
        }

        variables[variable] = key.Value;
        return true;
    }

    private string? ReadMatrixValue(YamlValue value, string path)
    {
        if (value is YamlScalar { IsNull: false } scalar)
        {
            return scalar.Value;
        }

        Errors.Add(value.Location, $"a matrix value must be a plain value, not {(value is YamlScalar ? "empty" : $"a {value.KindName}")}", path);
        return null;
    }

    /// <summary>A list of mappings of keys to plain values; exclude entries may only name axes.</summary>
    private List<IReadOnlyDictionary<string, string>> ReadMatrixEntries(YamlValue value, string path, string what, List<string> axes, Dictionary<string, string> variables)
    {
        var entries = new List<IReadOnlyDictionary<string, string>>();
        if (value is not YamlSequence sequence)
        {
            Errors.Add(value.Location, $"'{what}' must be a list of mappings like {{ axis: value }}, not a {value.KindName}", path);
            return entries;
        }

        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (sequence.Items[i] is not YamlMapping { Entries.Count: > 0 } mapping)
            {
                Errors.Add(sequence.Items[i].Location, $"each '{what}' entry must be a mapping like {{ axis: value }}, not {(sequence.Items[i] is YamlMapping ? "empty" : $"a {sequence.Items[i].KindName}")}", itemPath);
                continue;
            }

            var entry = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, item) in mapping.Entries)
            {
                if (what == "exclude" && !axes.Contains(key.Value))
                {
                    Errors.Add(key.Location, $"exclude names '{key.Value}', which is not a matrix axis", $"{itemPath}.{key.Value}", NameSuggester.Hint(key.Value, axes));
                }
                else if ((axes.Contains(key.Value) || CheckMatrixKey(key, $"{itemPath}.{key.Value}", variables)) && ReadMatrixValue(item, $"{itemPath}.{key.Value}") is { } v)
                {
                    entry[key.Value] = v;
                }
            }

            entries.Add(entry);
        }

        return entries;
    }

    private bool CheckCombinations(MatrixDefinition matrix, YamlScalar key, string path, string owner)
    {
        var product = MatrixExpander.ProductSize(matrix);
        if (product > MaxProductToExpand)
        {
            var count = product == long.MaxValue ? "too many" : product.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Errors.Add(key.Location, $"the matrix of {owner} has {count} combinations; at most {MatrixExpander.MaxCombinations} are allowed", path);
            return false;
        }

        var combinations = MatrixExpander.Expand(matrix);
        if (combinations.Count > MatrixExpander.MaxCombinations)
        {
            Errors.Add(key.Location, $"the matrix of {owner} has {combinations.Count} combinations; at most {MatrixExpander.MaxCombinations} are allowed", path);
            return false;
        }

        if (combinations.Count == 0)
        {
            Errors.Add(key.Location, $"the matrix of {owner} excludes every combination", path);
            return false;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in combinations.Select(c => MatrixExpander.JobName("", c)))
        {
            if (!names.Add(name))
            {
                Errors.Add(key.Location, $"the matrix of {owner} yields the combination{name} more than once", path, "remove the repeated value or include entry");
                return false;
            }
        }

        return true;
    }
}
