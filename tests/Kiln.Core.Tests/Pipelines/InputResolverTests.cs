using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class InputResolverTests
{
    private static readonly IReadOnlyList<InputDefinition> Defs = PipelineModelTests.Parse("""
        inputs:
          target: { default: all, options: [all, lib] }
          level: { required: true }
          note: {}
        jobs:
          a: { steps: [x] }
        """).Inputs;

    [Fact]
    public void Fills_in_defaults_and_empties()
    {
        var (inputs, errors) = InputResolver.Resolve(Defs, new Dictionary<string, string> { ["level"] = "3" });

        Assert.Empty(errors);
        Assert.Equal(new Dictionary<string, string> { ["target"] = "all", ["level"] = "3", ["note"] = "" }, inputs);
    }

    [Fact]
    public void Given_values_win()
    {
        var (inputs, errors) = InputResolver.Resolve(Defs, new Dictionary<string, string> { ["level"] = "1", ["target"] = "lib", ["note"] = "hi" });

        Assert.Empty(errors);
        Assert.Equal(("lib", "1", "hi"), (inputs["target"], inputs["level"], inputs["note"]));
    }

    [Fact]
    public void Reports_unknown_missing_and_bad_values()
    {
        var (_, errors) = InputResolver.Resolve(Defs, new Dictionary<string, string> { ["targt"] = "x", ["zzz"] = "1", ["target"] = "app" });

        Assert.Equal(
            [
                "unknown input 'targt' (inputs: target, level, note); did you mean 'target'?",
                "unknown input 'zzz' (inputs: target, level, note)",
                "input 'target' must be one of all, lib, not 'app'",
                "input 'level' is required",
            ],
            errors);
    }

    [Fact]
    public void A_pipeline_without_inputs_takes_none()
    {
        var (inputs, errors) = InputResolver.Resolve([], new Dictionary<string, string> { ["x"] = "1" });

        Assert.Empty(inputs);
        Assert.Equal(["unknown input 'x' (the pipeline has no inputs)"], errors);
    }
}
