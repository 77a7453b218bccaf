using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class PipelineParserTests
{
    [Fact]
    public void Reads_a_complete_pipeline()
    {
        const string Yaml = """
            on:
              push: { branches: [main] }
            env:
              CONFIGURATION: Release
              RETRIES: 3
              VERBOSE: true
            jobs:
              build:
                runs-on: [linux]
                env: { A: "1" }
                timeout: 20m
                steps:
                  - name: compile
                    run: make all
                  - run: ./pack.sh
                    timeout: 5m
                    env:
                      B: two
              test:
                needs: [build]
                steps:
                  - ./test.sh --fast
            """;

        var result = PipelineParser.Parse(Yaml);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        var pipeline = result.Pipeline!;
        Assert.Equal(new Dictionary<string, string> { ["CONFIGURATION"] = "Release", ["RETRIES"] = "3", ["VERBOSE"] = "true" }, pipeline.Env);
        Assert.Equal(["build", "test"], pipeline.Jobs.Select(j => j.Id));

        var build = pipeline.Jobs[0];
        Assert.Empty(build.Needs);
        Assert.Equal("1", build.Env["A"]);
        Assert.Equal(TimeSpan.FromMinutes(20), build.Timeout);
        Assert.Equal(new SourceLocation(8, 3), build.Location);
        Assert.Equal(2, build.Steps.Count);
        Assert.Equal(("compile", "make all", (TimeSpan?)null), (build.Steps[0].Name, build.Steps[0].Run, build.Steps[0].Timeout));
        Assert.Equal(new SourceLocation(13, 9), build.Steps[0].Location);
        Assert.Empty(build.Steps[0].Env);
        Assert.Equal("./pack.sh", build.Steps[1].Name);
        Assert.Equal(TimeSpan.FromMinutes(5), build.Steps[1].Timeout);
        Assert.Equal("two", build.Steps[1].Env["B"]);

        var test = pipeline.Jobs[1];
        Assert.Equal(["build"], test.Needs);
        Assert.Null(test.Timeout);
        Assert.Equal("./test.sh --fast", test.Steps[0].Run);
        Assert.Equal("./test.sh --fast", test.Steps[0].Name);
        Assert.Equal(new SourceLocation(22, 9), test.Steps[0].Location);
    }

    [Fact]
    public void Keeps_jobs_in_file_order()
    {
        var result = PipelineParser.Parse("jobs:\n  zeta: { steps: [a] }\n  alpha: { steps: [b] }\n  mid: { steps: [c] }\n");

        Assert.Equal(["zeta", "alpha", "mid"], result.Pipeline!.Jobs.Select(j => j.Id));
    }

    [Fact]
    public void Needs_may_be_a_single_string()
    {
        var result = PipelineParser.Parse("jobs:\n  a: { steps: [x] }\n  b: { needs: a, steps: [y] }\n");

        Assert.True(result.Success);
        Assert.Equal(["a"], result.Pipeline!.Jobs[1].Needs);
    }

    [Fact]
    public void Default_step_name_is_the_first_line_of_run_trimmed_and_cut_to_80_characters()
    {
        var longLine = new string('x', 100);
        var yaml = $"jobs:\n  a:\n    steps:\n      - run: |\n\n          echo one   \n          echo two\n      - run: {longLine}\n";

        var steps = PipelineParser.Parse(yaml).Pipeline!.Jobs[0].Steps;

        Assert.Equal("echo one", steps[0].Name);
        Assert.Equal("\necho one   \necho two\n", steps[0].Run);
        Assert.Equal(new string('x', 80), steps[1].Name);
        Assert.Equal(longLine, steps[1].Run);
    }

    [Fact]
    public void Keeps_scalars_as_their_source_text()
    {
        var result = PipelineParser.Parse("env:\n  A: 010\n  B: yes\n  C: 1.50\n  D: '  x  '\n  E:\njobs:\n  a: { steps: [x] }\n");

        Assert.Equal(
            new Dictionary<string, string> { ["A"] = "010", ["B"] = "yes", ["C"] = "1.50", ["D"] = "  x  ", ["E"] = "" },
            result.Pipeline!.Env);
    }

    [Fact]
    public void Resolves_aliases()
    {
        const string Yaml = """
            env: &common
              A: "1"
            jobs:
              a:
                env: *common
                steps: [make]
            """;

        var result = PipelineParser.Parse(Yaml);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal("1", result.Pipeline!.Jobs[0].Env["A"]);
    }

    [Fact]
    public void Empty_env_and_needs_are_allowed()
    {
        var result = PipelineParser.Parse("env:\njobs:\n  a:\n    needs: []\n    env: {}\n    steps: [x]\n");

        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Empty(result.Pipeline!.Env);
        Assert.Empty(result.Pipeline.Jobs[0].Needs);
    }

    [Fact]
    public void Error_prints_file_line_column_message_and_hint()
    {
        Assert.Equal(".kiln.yml:7:9: bad", new PipelineError(".kiln.yml", 7, 9, "bad").ToString());
        Assert.Equal("f.yml:1:2: bad (hint: try this)", new PipelineError("f.yml", 1, 2, "bad", "k", "try this").ToString());
    }

    [Fact]
    public void A_result_with_errors_is_not_a_success()
    {
        var definition = new PipelineDefinition { Env = new Dictionary<string, string>(), Jobs = [], On = TriggerSettings.Default, Inputs = [] };

        Assert.True(new PipelineParseResult(definition, []).Success);
        Assert.False(new PipelineParseResult(definition, [new PipelineError("f", 1, 1, "x")]).Success);
        Assert.False(new PipelineParseResult(null, []).Success);
    }
}
