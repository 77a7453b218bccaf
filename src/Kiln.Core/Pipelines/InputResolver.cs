namespace Kiln.Core.Pipelines;

/// <summary>Checks the inputs given to a run against the pipeline's <c>inputs</c> and fills in the rest.</summary>
public static class InputResolver
{
    /// <summary>
    /// Returns a value for every defined input, in definition order: the given one, else the
    /// default, else "" (an input that is neither required nor defaulted is empty). Errors: an
    /// input that is not defined, a required input with no value and no default, a value that is not
    /// one of the input's options. The inputs are only good to use when there are no errors.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Inputs, IReadOnlyList<string> Errors) Resolve(
        IReadOnlyList<InputDefinition> defs,
        IReadOnlyDictionary<string, string> given)
    {
        ArgumentNullException.ThrowIfNull(defs);
        ArgumentNullException.ThrowIfNull(given);
        var errors = new List<string>();
        var known = defs.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in given.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal))
        {
            var list = defs.Count == 0 ? "the pipeline has no inputs" : $"inputs: {string.Join(", ", defs.Select(d => d.Name))}";
            var hint = NameSuggester.Hint(name, known);
            errors.Add($"unknown input '{name}' ({list}){(hint is null ? "" : $"; {hint}")}");
        }

        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var def in defs)
        {
            if (given.TryGetValue(def.Name, out var value))
            {
                if (def.Options is { } options && !options.Contains(value, StringComparer.Ordinal))
                {
                    errors.Add($"input '{def.Name}' must be one of {string.Join(", ", options)}, not '{value}'");
                }

                inputs[def.Name] = value;
            }
            else if (def.Default is not null)
            {
                inputs[def.Name] = def.Default;
            }
            else if (def.Required)
            {
                errors.Add($"input '{def.Name}' is required");
            }
            else
            {
                inputs[def.Name] = "";
            }
        }

        return (inputs, errors);
    }
}
