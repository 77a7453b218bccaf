using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Job templates: those under <c>templates:</c> in the pipeline file and in the files it
/// <c>include</c>s (which may hold nothing else), and what <c>extends</c> makes of a job.
/// <para>
/// A job (or template) that <c>extends: [a, b]</c> gets the keys of <c>a</c>, then of <c>b</c> over
/// them, then its own over both: a later key replaces an earlier one, except <c>env</c>, whose
/// variables merge (the later value of a variable wins). <c>steps</c> replace like any other key.
/// Merging works on the YAML nodes, so every value keeps the file and position it was written at.
/// Each template is checked once on its own; when a job reads a key it got from a template, that
/// key's errors are not reported again.
/// </para>
/// </summary>
internal sealed class TemplateResolver(PipelineReader reader, Func<string, string?>? includeResolver)
{
    public const int MaxIncludes = 20;

    /// <summary>Longest chain of templates extending templates.</summary>
    public const int MaxDepth = 20;

    private readonly Dictionary<string, Template> templates = new(StringComparer.Ordinal);

    private ErrorList Errors => reader.Errors;

    /// <summary>Reads the included files and the templates, and checks every template.</summary>
    public void Load((YamlScalar Key, YamlValue Value)? include, YamlValue? mainTemplates)
    {
        if (include is { } given)
        {
            foreach (var (file, node) in ReadIncludes(given.Key, given.Value))
            {
                AddTemplates(node, $"{file}:templates");
            }
        }

        if (mainTemplates is not null)
        {
            AddTemplates(mainTemplates, "templates");
        }

        foreach (var template in templates.Values)
        {
            var owner = $"template '{template.Name}'";
            reader.ReadMapping(template.Body, PipelineKeys.Job, new JobDraft(template.Name, template.Key.Location, template.Path, owner), template.Path, $"in {owner}");
        }

        foreach (var template in templates.Values)
        {
            Resolve(template, []);
        }
    }

    /// <summary>
    /// The job with its templates applied, and the keys written in the job itself (null when it
    /// extends nothing, and then the mapping is the job's own).
    /// </summary>
    public (YamlMapping Mapping, HashSet<YamlScalar>? OwnKeys) Apply(YamlMapping job, string path)
    {
        var extends = job.Entries.FirstOrDefault(e => e.Key.Value == "extends").Value;
        if (extends is null)
        {
            return (job, null);
        }

        YamlMapping? merged = null;
        foreach (var (name, at) in ReadExtends(extends, $"{path}.extends"))
        {
            if (Find(name, at, $"{path}.extends") is { } template)
            {
                merged = merged is null ? template.Resolved : Merge(merged, template.Resolved!);
            }
        }

        return (merged is null ? job : Merge(merged, job), job.Entries.Select(e => e.Key).ToHashSet());
    }

    private static YamlMapping Merge(YamlMapping under, YamlMapping over)
    {
        var entries = under.Entries.ToList();
        foreach (var (key, value) in over.Entries)
        {
            if (key.Value == "extends")
            {
                continue;
            }

            var at = entries.FindIndex(e => e.Key.Value == key.Value);
            if (at < 0)
            {
                entries.Add(new(key, value));
            }
            else if (key.Value == "env" && entries[at].Value is YamlMapping underEnv && value is YamlMapping overEnv)
            {
                entries[at] = new(key, Merge(underEnv, overEnv));
            }
            else
            {
                entries[at] = new(key, value);
            }
        }

        var merged = new YamlMapping(over.Location);
        foreach (var (key, value) in entries)
        {
            merged.Add(key, value);
        }

        return merged;
    }

    private YamlMapping Resolve(Template template, List<Template> chain)
    {
        if (template.Resolved is not null)
        {
            return template.Resolved;
        }

        chain.Add(template);
        var own = Merge(new YamlMapping(template.Body.Location), template.Body);
        YamlMapping? merged = null;
        var extends = template.Body.Entries.FirstOrDefault(e => e.Key.Value == "extends").Value;
        var path = $"{template.Path}.extends";
        foreach (var (name, at) in extends is null ? [] : ReadExtends(extends, path))
        {
            if (chain.FindIndex(t => t.Name == name) is var from and >= 0)
            {
                var names = chain.Skip(from).Select(t => t.Name).Append(name);
                Errors.Add(at, $"extends cycle: {string.Join(" -> ", names)}", path, "a template cannot extend, directly or not, a template that extends it");
            }
            else if (chain.Count >= MaxDepth)
            {
                Errors.Add(at, $"templates extend each other more than {MaxDepth} levels deep", path);
            }
            else if (Find(name, at, path) is { } template2)
            {
                var resolved = Resolve(template2, chain);
                merged = merged is null ? resolved : Merge(merged, resolved);
            }
        }

        chain.RemoveAt(chain.Count - 1);
        template.Resolved = merged is null ? own : Merge(merged, own);
        return template.Resolved;
    }

    private Template? Find(string name, SourceLocation at, string path)
    {
        if (templates.TryGetValue(name, out var template))
        {
            return template;
        }

        var hint = templates.Count == 0 ? "define it under 'templates:' in this file or in an included one" : NameSuggester.Hint(name, templates.Keys);
        Errors.Add(at, $"template '{name}' is not defined", path, hint);
        return null;
    }

    private List<(string Name, SourceLocation At)> ReadExtends(YamlValue value, string path) =>
        reader.ReadScalarList(value, path, "extends").Select(s => (s.Value, s.Location)).ToList();

    private void AddTemplates(YamlValue node, string path)
    {
        if (node is YamlScalar { IsNull: true })
        {
            return;
        }

        if (node is not YamlMapping mapping)
        {
            Errors.Add(node.Location, $"'templates' must be a mapping of template names to job settings, not a {node.KindName}", path);
            return;
        }

        foreach (var (key, body) in mapping.Entries)
        {
            var name = key.Value;
            var templatePath = $"templates.{name}";
            if (!PipelineReader.IsJobId(name))
            {
                Errors.Add(key.Location, $"template name '{name}' may hold only letters, digits, '_', '-' and '.'", templatePath);
            }
            else if (templates.TryGetValue(name, out var other))
            {
                var where = other.Key.Location.File is { } file ? $" in {file}" : "";
                Errors.Add(key.Location, $"template '{name}' is already defined{where} at line {other.Key.Location.Line}, column {other.Key.Location.Column}", templatePath, "rename one of them");
            }
            else if (body is not YamlMapping bodyMapping)
            {
                var what = body is YamlScalar { IsNull: true } ? "is empty" : $"must be a mapping of job keys, not a {body.KindName}";
                Errors.Add(body is YamlScalar { IsNull: true } ? key.Location : body.Location, $"template '{name}' {what}", templatePath);
            }
            else
            {
                templates[name] = new Template(name, key, bodyMapping, templatePath);
            }
        }
    }

    /// <summary>The 'templates' node of each included file, in include order.</summary>
    private List<(string File, YamlValue Templates)> ReadIncludes(YamlScalar key, YamlValue value)
    {
        var found = new List<(string, YamlValue)>();
        if (includeResolver is null)
        {
            Errors.Add(key.Location, "include needs a repository to read from", "include", "put the templates under 'templates:' in this file");
            return found;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = reader.ReadScalarList(value, "include", "include");
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var file = item.Value;
            var path = $"include[{i}]";
            if (i == MaxIncludes)
            {
                Errors.Add(item.Location, $"a pipeline may include at most {MaxIncludes} files", path);
                break;
            }

            if (file.StartsWith('/') || file.Contains('\\', StringComparison.Ordinal) || file.Split('/').Any(s => s is ".." or ""))
            {
                Errors.Add(item.Location, $"'{file}' must be a relative path inside the repository, without '..'", path, "write it like 'ci/templates.yml'");
                continue;
            }

            if (!seen.Add(file))
            {
                Errors.Add(item.Location, $"'{file}' is included more than once", path);
                continue;
            }

            if (includeResolver(file) is not { } text)
            {
                Errors.Add(item.Location, $"included file '{file}' was not found", path);
                continue;
            }

            var errorsBefore = Errors.Count;
            var root = YamlLoader.Load(text, Errors, file);
            if (Errors.Count != errorsBefore)
            {
                continue;
            }

            if (root is null or YamlScalar { IsNull: true })
            {
                Errors.Add(item.Location, $"included file '{file}' is empty; it should hold 'templates:'", path);
            }
            else if (root is not YamlMapping mapping)
            {
                Errors.Add(root.Location, $"an included file must be a mapping with a 'templates' key, not a {root.KindName}");
            }
            else
            {
                foreach (var (k, v) in mapping.Entries)
                {
                    if (k.Value == "templates")
                    {
                        found.Add((file, v));
                    }
                    else
                    {
                        Errors.Add(k.Location, $"unknown key '{k.Value}' in an included file; it may hold only 'templates'", k.Value, NameSuggester.Hint(k.Value, ["templates"]));
                    }
                }

                if (!mapping.Entries.Any(e => e.Key.Value == "templates"))
                {
                    Errors.Add(mapping.Location, "the included file has no 'templates' mapping", hint: "add 'templates:' with the job templates");
                }
            }
        }

        return found;
    }

    private sealed class Template(string name, YamlScalar key, YamlMapping body, string path)
    {
        public string Name { get; } = name;

        public YamlScalar Key { get; } = key;

        public YamlMapping Body { get; } = body;

        public string Path { get; } = path;

        /// <summary>The template with what it extends applied; null until resolved.</summary>
        public YamlMapping? Resolved { get; set; }
    }
}
