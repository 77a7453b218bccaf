using YamlDotNet.Core;

namespace Kiln.Core.Pipelines.Yaml;

/// <summary>
/// A node of the loaded YAML document with its source position. An alias is the very node it
/// names (shared, not copied); <see cref="ExpandedSize"/> and <see cref="Height"/> count aliases
/// as if they were expanded.
/// </summary>
internal abstract class YamlValue(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>Nodes in this subtree after alias expansion, the node itself included.</summary>
    public long ExpandedSize { get; protected set; } = 1;

    /// <summary>Levels of collections below and including this node (0 for a scalar).</summary>
    public int Height { get; protected set; }

    public abstract string KindName { get; }
}

internal sealed class YamlScalar(SourceLocation location, string value, ScalarStyle style, SourceLocation? commentAfter = null) : YamlValue(location)
{
    /// <summary>The scalar as written (after YAML unquoting); numbers and booleans stay text.</summary>
    public string Value { get; } = value;

    /// <summary>
    /// Where a comment starts on the line a plain scalar ends on, else null. A plain scalar ends at
    /// the first <c> #</c>, so text the author meant as part of the value may be there instead.
    /// </summary>
    public SourceLocation? CommentAfter { get; } = commentAfter;

    /// <summary>A plain <c>~</c>, <c>null</c> or nothing at all.</summary>
    public bool IsNull { get; } = style is ScalarStyle.Plain or ScalarStyle.Any && value is "" or "~" or "null" or "Null" or "NULL";

    public override string KindName => IsNull ? "null" : "string";
}

internal sealed class YamlMapping(SourceLocation location) : YamlValue(location)
{
    private readonly List<KeyValuePair<YamlScalar, YamlValue>> entries = [];

    /// <summary>Entries in file order; duplicate and non-scalar keys were left out by the loader.</summary>
    public IReadOnlyList<KeyValuePair<YamlScalar, YamlValue>> Entries => entries;

    public override string KindName => "mapping";

    /// <summary>Counts a node that appears in the mapping (key or value), whether or not it is kept.</summary>
    public void Count(YamlValue node)
    {
        ExpandedSize = Saturate(ExpandedSize + node.ExpandedSize);
        Height = Math.Max(Height, node.Height + 1);
    }

    public void Add(YamlScalar key, YamlValue value) => entries.Add(new(key, value));

    public void Seal() => Height = Math.Max(Height, 1);

    private static long Saturate(long n) => n < 0 ? long.MaxValue : n;
}

internal sealed class YamlSequence(SourceLocation location) : YamlValue(location)
{
    private readonly List<YamlValue> items = [];

    public IReadOnlyList<YamlValue> Items => items;

    public override string KindName => "list";

    public void Add(YamlValue item)
    {
        items.Add(item);
        ExpandedSize = ExpandedSize + item.ExpandedSize < 0 ? long.MaxValue : ExpandedSize + item.ExpandedSize;
        Height = Math.Max(Height, item.Height + 1);
    }

    public void Seal() => Height = Math.Max(Height, 1);
}
