using System.Collections.Frozen;
using Kiln.Core.Builds;

namespace Kiln.Core;

/// <summary>An immutable two-way table between one enum and its wire names: by default the snake_case of
/// the member (<c>TimedOut</c> is <c>timed_out</c>). Parsing accepts exactly those names.</summary>
public sealed class WireNames<T>
    where T : struct, Enum
{
    private readonly FrozenDictionary<T, string> toWire;
    private readonly FrozenDictionary<string, T> fromWire;

    public WireNames(Func<T, string>? name = null)
    {
        All = Enum.GetValues<T>();
        toWire = All.ToFrozenDictionary(v => v, name ?? (v => StatusNames.ToSnakeCase(v.ToString())));
        fromWire = toWire.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        Names = [.. All.Select(v => toWire[v])];
    }

    /// <summary>Every member, in declaration order.</summary>
    public IReadOnlyList<T> All { get; }

    /// <summary>Every wire name, in the order of <see cref="All"/>.</summary>
    public IReadOnlyList<string> Names { get; }

    public string ToWire(T value) =>
        toWire.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeof(T).Name} has no value {value}.");

    public bool TryParse(string? text, out T value)
    {
        if (text is not null && fromWire.TryGetValue(text, out value))
        {
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The member of a name that <see cref="ToWire"/> wrote (a stored value, say).</summary>
    public T Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name} ({string.Join(", ", Names)}).");
}
