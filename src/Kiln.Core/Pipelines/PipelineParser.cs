using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>Reads and validates a <c>.kiln.yml</c> file.</summary>
public static class PipelineParser
{
    /// <summary>Most files one pipeline may include.</summary>
    public const int MaxIncludes = TemplateResolver.MaxIncludes;

    /// <summary>
    /// Parses <paramref name="yaml"/> and reports every problem found, each with the file, line and
    /// column of the offending node. Never throws on any input: syntax errors, alias bombs (more than
    /// 50,000 nodes once aliases are expanded) and nesting deeper than 100 levels are errors too.
    /// The result holds a pipeline only when there are no errors; warnings (see
    /// <see cref="PipelineParseResult.Warnings"/>) come with it or with the errors.
    /// </summary>
    /// <param name="includeResolver">
    /// Reads a file named under <c>include</c> (a path relative to the repository root) and returns
    /// its text, or null when there is no such file. Without one, <c>include</c> is an error.
    /// </param>
    public static PipelineParseResult Parse(string yaml, string fileName = ".kiln.yml", Func<string, string?>? includeResolver = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        var errors = new ErrorList(fileName);
        var root = YamlLoader.Load(yaml, errors);
        if (root is null && errors.Count > 0)
        {
            return new PipelineParseResult(null, errors.Sorted(), errors.SortedWarnings());
        }

        var draft = new PipelineReader(errors).ReadPipeline(root, includeResolver);
        if (draft?.Jobs is { } jobs)
        {
            NeedsValidator.Validate(jobs, errors);
        }

        if (errors.Count > 0 || draft?.Jobs is null)
        {
            return new PipelineParseResult(null, errors.Sorted(), errors.SortedWarnings());
        }

        var pipeline = new PipelineDefinition
        {
            Env = draft.Env,
            Jobs = draft.Jobs.Select(j => j.ToDefinition()).ToList(),
            On = draft.On ?? TriggerSettings.Default,
            Inputs = draft.Inputs,
        };
        return new PipelineParseResult(pipeline, [], errors.SortedWarnings());
    }
}
