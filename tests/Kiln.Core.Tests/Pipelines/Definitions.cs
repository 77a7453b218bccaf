using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

/// <summary>Builds model objects directly, for planner tests that the parser would refuse or that are simpler so.</summary>
internal static class Definitions
{
    public static readonly SourceLocation At = new(1, 1);

    public static StepDefinition Step(string run, IReadOnlyDictionary<string, string>? env = null) =>
        new() { Name = run, Run = run, Env = env ?? new Dictionary<string, string>(), Location = At };

    public static JobDefinition Job(string id, params string[] needs) =>
        new() { Id = id, Needs = needs, Env = new Dictionary<string, string>(), Steps = [Step("make")], Location = At };

    public static PipelineDefinition Pipeline(params JobDefinition[] jobs) =>
        new() { Env = new Dictionary<string, string>(), Jobs = jobs, On = TriggerSettings.Default, Inputs = [] };
}
