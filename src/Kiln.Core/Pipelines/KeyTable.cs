using System.Collections.Frozen;
using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>Reads the value of one key into <typeparamref name="TDraft"/>; <c>path</c> is the key's dotted path.</summary>
internal delegate void KeyReader<in TDraft>(PipelineReader reader, YamlScalar key, YamlValue value, string path, TDraft draft);

/// <summary>
/// The keys a mapping of the pipeline file may hold, each with the code that reads it. A key whose
/// reader is null is accepted here and read elsewhere (<c>extends</c>, by <see cref="TemplateResolver"/>).
/// Adding a key to the language is adding a row.
/// </summary>
internal sealed class KeyTable<TDraft>
{
    private readonly FrozenDictionary<string, KeyReader<TDraft>?> readers;

    public KeyTable(params (string Key, KeyReader<TDraft>? Reader)[] rows)
    {
        Names = rows.Select(r => r.Key).ToList();
        readers = rows.ToFrozenDictionary(r => r.Key, r => r.Reader, StringComparer.Ordinal);
    }

    /// <summary>The keys in the order they were declared, for hints.</summary>
    public IReadOnlyList<string> Names { get; }

    public bool TryGet(string key, out KeyReader<TDraft>? reader) => readers.TryGetValue(key, out reader);
}
