using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kiln.Core.Pipelines.Yaml;

/// <summary>
/// Reads one YAML document into <see cref="YamlValue"/> nodes with their positions, straight from
/// YamlDotNet's event parser, without recursion. Duplicate keys and non-scalar keys are reported and
/// left out. Syntax errors, a second document, unknown aliases, too many nodes after alias
/// expansion (alias bombs) and too deep nesting stop the load.
/// </summary>
internal static class YamlLoader
{
    /// <summary>Most nodes a document may hold, counting every alias as the nodes it stands for.</summary>
    public const int MaxNodes = 50_000;

    /// <summary>Deepest nesting of mappings and lists, aliases expanded.</summary>
    public const int MaxDepth = 100;

    /// <summary>Returns the document's root, or null when the file is empty or could not be read.</summary>
    /// <param name="file">The included file being read, or null for the pipeline file; its nodes' locations carry it.</param>
    public static YamlValue? Load(string text, ErrorList errors, string? file = null)
    {
        var run = new Run(text, errors, file);
        try
        {
            return run.Load(new Parser(new StringReader(text)));
        }
        catch (YamlException e)
        {
            errors.Add(At(e.Start, file), Describe(e));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet fails this way on a few malformed inputs; say where reading stopped.
            errors.Add(At(run.LastGood, file), "invalid YAML: the file cannot be read past this point");
            return null;
        }
    }

    internal static SourceLocation At(Mark mark, string? file) =>
        new((int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue)) { File = file };

    /// <summary>The '#' that only blanks separate from <paramref name="end"/> on its line, if there is one.</summary>
    private static SourceLocation? CommentAfter(string text, Mark end, string? file)
    {
        for (var i = (int)Math.Clamp(end.Index, 0, text.Length); i < text.Length; i++)
        {
            switch (text[i])
            {
                case ' ' or '\t':
                    continue;
                case '#':
                    return At(end, file) with { Column = (int)Math.Clamp(end.Column + (i - end.Index), 1, int.MaxValue) };
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>YamlDotNet puts "(Line: 1, Col: 2, Idx: 1) - (Line: ...): " before its messages; we print positions our way.</summary>
    private static string Describe(YamlException e)
    {
        var message = e.Message;
        const string Separator = "): ";
        if (message.StartsWith("(Line:", StringComparison.Ordinal))
        {
            var end = message.IndexOf(Separator, message.IndexOf(") - (", StringComparison.Ordinal) + 1, StringComparison.Ordinal);
            if (end > 0)
            {
                message = message[(end + Separator.Length)..];
            }
        }

        return $"invalid YAML: {message}";
    }

    /// <summary>The state of one load.</summary>
    private sealed class Run(string text, ErrorList errors, string? file)
    {
        private readonly Dictionary<string, YamlValue> anchors = new(StringComparer.Ordinal);
        private readonly Stack<Frame> open = new();
        private long expandedNodes;
        private YamlValue? root;

        /// <summary>The end of the last event read without error.</summary>
        public Mark LastGood { get; private set; } = Mark.Empty;

        public YamlValue? Load(Parser parser)
        {
            var documents = 0;
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                LastGood = current.End;
                switch (current)
                {
                    case DocumentStart start when ++documents > 1:
                        errors.Add(At(start.Start, file), "the file holds more than one YAML document; a pipeline is a single document");
                        return root;
                    case Scalar scalar:
                        var comment = scalar.Style == ScalarStyle.Plain ? CommentAfter(text, scalar.End, file) : null;
                        var node = new YamlScalar(At(scalar.Start, file), scalar.Value, scalar.Style, comment);
                        Remember(scalar.Anchor, node);
                        if (!Attach(node, 1, node.Location))
                        {
                            return null;
                        }

                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            errors.Add(At(alias.Start, file), $"the alias '*{alias.Value.Value}' names no anchor defined before it");
                            return null;
                        }

                        if (open.Count + target.Height > MaxDepth)
                        {
                            return TooDeep(alias.Start);
                        }

                        if (!Attach(target, target.ExpandedSize, At(alias.Start, file)))
                        {
                            return null;
                        }

                        break;
                    case MappingStart mapping:
                        if (!Open(new YamlMapping(At(mapping.Start, file)), mapping.Anchor, mapping.Start))
                        {
                            return null;
                        }

                        break;
                    case SequenceStart sequence:
                        if (!Open(new YamlSequence(At(sequence.Start, file)), sequence.Anchor, sequence.Start))
                        {
                            return null;
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        var frame = open.Pop();
                        (frame.Node as YamlMapping)?.Seal();
                        (frame.Node as YamlSequence)?.Seal();
                        Remember(frame.Anchor, frame.Node);
                        if (!Attach(frame.Node, 0, frame.Node.Location))
                        {
                            return null;
                        }

                        break;
                }
            }

            return root;
        }

        private bool Open(YamlValue node, AnchorName anchor, Mark start)
        {
            if (open.Count + 1 > MaxDepth)
            {
                TooDeep(start);
                return false;
            }

            if (!CountNodes(1, node.Location))
            {
                return false;
            }

            open.Push(new Frame(node, anchor));
            return true;
        }

        private YamlValue? TooDeep(Mark at)
        {
            errors.Add(At(at, file), $"the document is nested deeper than {MaxDepth} levels");
            return null;
        }

        private bool CountNodes(long nodes, SourceLocation at)
        {
            expandedNodes += nodes;
            if (expandedNodes > MaxNodes)
            {
                errors.Add(at, $"the document is too large or complex: more than {MaxNodes} nodes once aliases are expanded");
                return false;
            }

            return true;
        }

        private void Remember(AnchorName anchor, YamlValue node)
        {
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = node;
            }
        }

        /// <summary>Puts a finished node into its parent; <paramref name="newNodes"/> counts toward the limit.</summary>
        private bool Attach(YamlValue node, long newNodes, SourceLocation at)
        {
            if (newNodes > 0 && !CountNodes(newNodes, at))
            {
                return false;
            }

            if (open.Count == 0)
            {
                root ??= node;
                return true;
            }

            var parent = open.Peek();
            switch (parent.Node)
            {
                case YamlSequence sequence:
                    sequence.Add(node);
                    break;
                case YamlMapping mapping when parent.Key is null && !parent.SkipValue:
                    mapping.Count(node);
                    AcceptKey(parent, node);
                    break;
                case YamlMapping mapping:
                    mapping.Count(node);
                    if (!parent.SkipValue)
                    {
                        mapping.Add(parent.Key!, node);
                    }

                    parent.Key = null;
                    parent.SkipValue = false;
                    break;
            }

            return true;
        }

        private void AcceptKey(Frame parent, YamlValue key)
        {
            if (key is not YamlScalar scalar)
            {
                errors.Add(key.Location, $"a key must be a plain value, not a {key.KindName}");
                parent.SkipValue = true;
                return;
            }

            if (parent.Keys.TryGetValue(scalar.Value, out var first))
            {
                errors.Add(
                    scalar.Location,
                    $"duplicate key '{scalar.Value}'; it is already set at line {first.Line}, column {first.Column}",
                    hint: "remove one of them");
                parent.SkipValue = true;
                return;
            }

            parent.Keys.Add(scalar.Value, scalar.Location);
            parent.Key = scalar;
        }
    }

    private sealed class Frame(YamlValue node, AnchorName anchor)
    {
        public YamlValue Node { get; } = node;

        public AnchorName Anchor { get; } = anchor;

        /// <summary>The key waiting for its value, in a mapping.</summary>
        public YamlScalar? Key { get; set; }

        /// <summary>The next value belongs to a key that was rejected.</summary>
        public bool SkipValue { get; set; }

        public Dictionary<string, SourceLocation> Keys { get; } = new(StringComparer.Ordinal);
    }
}
