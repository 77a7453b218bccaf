using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary><c>on</c> and <c>inputs</c>.</summary>
internal sealed partial class PipelineReader
{
    private static readonly string[] ListableTriggers = ["push", "pull_request", "tag", "manual", "api"];

    /// <summary>
    /// The mapping form (<c>on: { push: { branches: [main] }, schedule: ["0 3 * * *"] }</c>) or the
    /// list form (<c>on: [push, manual]</c>); only the triggers given build.
    /// </summary>
    public TriggerSettings? ReadOn(YamlValue value, string path)
    {
        switch (value)
        {
            case YamlScalar { IsNull: true }:
            case YamlSequence { Items.Count: 0 }:
            case YamlMapping { Entries.Count: 0 }:
                Errors.Add(value.Location, "'on' is empty; list the triggers that build the pipeline", path, "write 'on: [push, manual]', or remove 'on' for the default");
                return null;
            case YamlMapping mapping:
                var draft = new TriggerDraft();
                ReadMapping(mapping, PipelineKeys.Triggers, draft, path, "in 'on'");
                return new TriggerSettings
                {
                    PushBranches = draft.Push,
                    PullRequestBranches = draft.PullRequest,
                    Tags = draft.Tag,
                    Schedules = draft.Schedules,
                    Manual = draft.Manual,
                    Api = draft.Api,
                };
            default:
                return ReadTriggerList(value, path);
        }
    }

    /// <summary>
    /// <c>push:</c>, <c>push: {}</c> or <c>push: true</c> (every branch), <c>push: false</c> (none),
    /// or <c>push: { branches: [...] }</c>; the same for <c>pull_request</c> and, with <c>tags</c>, <c>tag</c>.
    /// </summary>
    public List<string>? ReadTriggerFilter(YamlValue value, string path, KeyTable<List<string>> table)
    {
        switch (value)
        {
            case YamlScalar { IsNull: true }:
                return [];
            case YamlScalar:
                return ReadBool(value, path, path) is true ? [] : null;
            case YamlMapping mapping:
                var filter = new List<string>();
                ReadMapping(mapping, table, filter, path, $"in '{path}'");
                return filter;
            default:
                Errors.Add(value.Location, $"'{path}' must be a mapping like {{ {table.Names[0]}: [...] }}, not a {value.KindName}", path);
                return null;
        }
    }

    /// <summary><c>manual:</c>, <c>manual: {}</c> or <c>manual: true</c> enable it; <c>manual: false</c> does not.</summary>
    public bool ReadTriggerSwitch(YamlValue value, string path, string key)
    {
        switch (value)
        {
            case YamlScalar { IsNull: true }:
                return true;
            case YamlMapping mapping:
                ReadEmptyMapping(mapping, path, $"in '{path}'");
                return true;
            default:
                return ReadBool(value, path, path) ?? false;
        }
    }

    public List<string> ReadSchedules(YamlValue value, string path)
    {
        var schedules = new List<string>();
        foreach (var item in ReadScalarList(value, path, "schedule"))
        {
            if (CronLine.TryNormalize(item.Value, out var line, out var error))
            {
                schedules.Add(line);
            }
            else
            {
                Errors.Add(item.Location, $"'{item.Value}' is not a cron line: {error}", path, "write minute hour day-of-month month day-of-week, like \"0 3 * * *\"");
            }
        }

        return schedules;
    }

    public List<InputDefinition> ReadInputs(YamlValue value, string path)
    {
        var inputs = new List<InputDefinition>();
        if (value is YamlScalar { IsNull: true })
        {
            return inputs;
        }

        if (value is not YamlMapping mapping)
        {
            Errors.Add(value.Location, $"'inputs' must be a mapping of names to settings, not a {value.KindName}", path, "write 'inputs: { target: { default: all } }'");
            return inputs;
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal); // KILN_INPUT_X -> the input it came from
        foreach (var (key, item) in mapping.Entries)
        {
            var name = key.Value;
            var itemPath = $"{path}.{name}";
            if (!IsName(name))
            {
                Errors.Add(key.Location, $"input name '{name}' must start with a letter or '_' and hold only letters, digits, '_' and '-'", itemPath);
                continue;
            }

            var variable = Interpolator.VariableName("KILN_INPUT_", name);
            if (!variables.TryAdd(variable, name))
            {
                Errors.Add(key.Location, $"inputs '{variables[variable]}' and '{name}' would both be {variable}", itemPath, "rename one of them");
                continue;
            }

            var draft = new InputDraft();
            if (item is YamlMapping settings)
            {
                ReadMapping(settings, PipelineKeys.Input, draft, itemPath, $"in input '{name}'");
            }
            else if (item is not YamlScalar { IsNull: true })
            {
                Errors.Add(item.Location, $"input '{name}' must be a mapping of settings (default, description, required, options), not a {item.KindName}", itemPath);
                continue;
            }

            if (draft.Default is { } d && draft.Options is { } options && !options.Contains(d))
            {
                Errors.Add(draft.DefaultAt!, $"the default '{d}' of input '{name}' is not one of its options ({string.Join(", ", options)})", $"{itemPath}.default");
            }

            inputs.Add(new InputDefinition
            {
                Name = name,
                Default = draft.Default,
                Description = draft.Description,
                Required = draft.Required,
                Options = draft.Options,
                Location = key.Location,
            });
        }

        return inputs;
    }

    public List<string> ReadEvents(YamlValue value, string path)
    {
        var events = new List<string>();
        foreach (var item in ReadScalarList(value, path, "events"))
        {
            if (TriggerSettings.Events.Contains(item.Value))
            {
                events.Add(item.Value);
            }
            else
            {
                Errors.Add(item.Location, $"'{item.Value}' is not an event; events are {string.Join(", ", TriggerSettings.Events)}", path, NameSuggester.Hint(item.Value, TriggerSettings.Events));
            }
        }

        return events;
    }

    private TriggerSettings ReadTriggerList(YamlValue value, string path)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in ReadScalarList(value, path, "on"))
        {
            if (item.Value == "schedule")
            {
                Errors.Add(item.Location, "'schedule' needs cron lines", path, "write 'on: { schedule: [\"0 3 * * *\"] }'");
            }
            else if (!ListableTriggers.Contains(item.Value))
            {
                Errors.Add(item.Location, $"'{item.Value}' is not a trigger; triggers are {string.Join(", ", TriggerSettings.Events)}", path, NameSuggester.Hint(item.Value, ListableTriggers));
            }
            else if (!listed.Add(item.Value))
            {
                Errors.Add(item.Location, $"'on' lists '{item.Value}' more than once", path);
            }
        }

        return new TriggerSettings
        {
            PushBranches = listed.Contains("push") ? [] : null,
            PullRequestBranches = listed.Contains("pull_request") ? [] : null,
            Tags = listed.Contains("tag") ? [] : null,
            Manual = listed.Contains("manual"),
            Api = listed.Contains("api"),
        };
    }
}
