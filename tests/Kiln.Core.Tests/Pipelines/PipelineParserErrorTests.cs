using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class PipelineParserErrorTests
{
    private static string[] Errors(string yaml)
    {
        var result = PipelineParser.Parse(yaml);
        Assert.Null(result.Pipeline);
        Assert.False(result.Success);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void Empty_file(string yaml) =>
        Assert.Equal([".kiln.yml:1:1: the pipeline is empty; it needs a 'jobs' mapping"], Errors(yaml));

    [Fact]
    public void Uses_the_given_file_name() =>
        Assert.StartsWith("ci/build.yml:1:1: ", PipelineParser.Parse("", "ci/build.yml").Errors[0].ToString());

    [Fact]
    public void Top_level_must_be_a_mapping() =>
        Assert.Equal([".kiln.yml:1:1: the pipeline must be a mapping with a 'jobs' key, not a list"], Errors("- a\n- b\n"));

    [Fact]
    public void Missing_jobs() =>
        Assert.Equal(
            [".kiln.yml:1:1: the pipeline has no 'jobs' mapping (hint: add 'jobs:' with at least one job)"],
            Errors("env: { A: b }\n"));

    [Fact]
    public void Empty_jobs()
    {
        Assert.Equal([".kiln.yml:1:7: 'jobs' is empty; a pipeline needs at least one job"], Errors("jobs: {}\n"));
        Assert.Equal([".kiln.yml:1:6: 'jobs' is empty (hint: add at least one job with 'steps')"], Errors("jobs:\n"));
        Assert.Equal([".kiln.yml:1:7: 'jobs' must be a mapping of job ids to jobs, not a list (hint: add at least one job with 'steps')"], Errors("jobs: [a]\n"));
    }

    [Fact]
    public void Unknown_top_level_key_with_hint()
    {
        var result = PipelineParser.Parse("jbos:\n  a: { steps: [x] }\nfoo: 1\n");

        Assert.Equal(
            [
                ".kiln.yml:1:1: unknown key 'jbos' at the top level (hint: did you mean 'jobs'?)",
                ".kiln.yml:1:1: the pipeline has no 'jobs' mapping (hint: add 'jobs:' with at least one job)",
                ".kiln.yml:3:1: unknown key 'foo' at the top level",
            ],
            result.Errors.Select(e => e.ToString()));
        Assert.Equal("jbos", result.Errors[0].Key);
        Assert.Equal("did you mean 'jobs'?", result.Errors[0].Hint);
    }

    [Fact]
    public void Unknown_job_and_step_keys_with_hints()
    {
        const string Yaml = """
            jobs:
              build:
                stpes: []
                timout: 5m
                steps:
                  - run: make
                    nmae: compile
            """;

        var result = PipelineParser.Parse(Yaml);

        Assert.Equal(
            [
                ".kiln.yml:3:5: unknown key 'stpes' in job 'build' (hint: did you mean 'steps'?)",
                ".kiln.yml:4:5: unknown key 'timout' in job 'build' (hint: did you mean 'timeout'?)",
                ".kiln.yml:7:9: unknown key 'nmae' in a step (hint: did you mean 'name'?)",
            ],
            result.Errors.Select(e => e.ToString()));
        Assert.Equal("jobs.build.steps[0].nmae", result.Errors.Single(e => e.Message.Contains("nmae", StringComparison.Ordinal)).Key);
    }

    [Fact]
    public void Bad_timeout_points_at_the_value()
    {
        const string Yaml = "jobs:\n  a:\n    steps:\n      - run: make\n        timeout: soon\n    timeout: 0s\n";

        Assert.Equal(
            [
                ".kiln.yml:5:18: 'timeout' must be a duration like 90s, 20m or 1h, not 'soon'",
                ".kiln.yml:6:14: 'timeout' must be longer than zero, not '0s'",
            ],
            Errors(Yaml));
    }

    [Fact]
    public void Bad_job_ids()
    {
        var longId = new string('j', 101);
        var errors = Errors($"jobs:\n  'a b': {{ steps: [x] }}\n  {longId}: {{ steps: [x] }}\n  ok-1.x_y: {{ steps: [x] }}\n");

        Assert.Equal(
            [
                ".kiln.yml:2:3: job id 'a b' may hold only letters, digits, '_', '-' and '.'",
                $".kiln.yml:3:3: job id '{longId[..20]}…' is longer than 100 characters",
            ],
            errors);
    }

    [Fact]
    public void Job_id_of_100_characters_is_fine() =>
        Assert.True(PipelineParser.Parse($"jobs:\n  {new string('j', 100)}: {{ steps: [x] }}\n").Success);

    [Fact]
    public void Missing_steps() =>
        Assert.Equal(
            [".kiln.yml:2:3: job 'a' has no 'steps' (hint: add 'steps:' with at least one '- run: <command>')"],
            Errors("jobs:\n  a:\n    env: {}\n"));

    [Fact]
    public void Job_shapes()
    {
        Assert.Equal([".kiln.yml:2:3: job 'a' is empty"], Errors("jobs:\n  a:\n"));
        Assert.Equal([".kiln.yml:2:6: job 'a' must be a mapping with 'steps', not a string"], Errors("jobs:\n  a: make\n"));
        Assert.Equal([".kiln.yml:2:15: 'steps' of job 'a' is empty; a job needs at least one step"], Errors("jobs:\n  a: { steps: [] }\n"));
        Assert.Equal(
            [".kiln.yml:2:15: 'steps' of job 'a' must be a list of steps, not a string (hint: write each step as '- run: <command>')"],
            Errors("jobs:\n  a: { steps: make }\n"));
    }

    [Fact]
    public void Step_shapes()
    {
        const string Yaml = """
            jobs:
              a:
                steps:
                  - name: no run
                  - run: ""
                  - run: [a]
                  - [a]
                  -
                  - run: ok
                    name: { a: b }
            """;

        Assert.Equal(
            [
                ".kiln.yml:4:9: the step has no 'run' (hint: add 'run: <command>')",
                ".kiln.yml:5:14: 'run' is empty",
                ".kiln.yml:6:14: 'run' must be a string, not a list",
                ".kiln.yml:7:9: the step must be a command or a mapping with 'run', not a list",
                ".kiln.yml:8:8: the step is empty",
                ".kiln.yml:10:15: 'name' must be a string, not a mapping",
            ],
            Errors(Yaml));
    }

    [Fact]
    public void Env_errors()
    {
        const string Yaml = """
            env:
              1BAD: x
              GOOD_1: y
              NESTED: { a: b }
              "A-B": c
            jobs:
              a:
                env: [A]
                steps: [x]
            """;

        Assert.Equal(
            [
                ".kiln.yml:2:3: '1BAD' is not a valid environment variable name (hint: use letters, digits and '_', not starting with a digit)",
                ".kiln.yml:4:11: the value of 'NESTED' must be a string, number or boolean, not a mapping",
                ".kiln.yml:5:3: 'A-B' is not a valid environment variable name (hint: use letters, digits and '_', not starting with a digit)",
                ".kiln.yml:8:10: 'env' must be a mapping of NAME: value, not a list",
            ],
            Errors(Yaml));
    }

    [Fact]
    public void Duplicate_keys_are_reported_at_the_second_occurrence()
    {
        const string Yaml = """
            jobs:
              a:
                steps: [x]
                env: { A: "1", A: "2" }
              a:
                steps: [y]
            env: {}
            env: {}
            """;

        Assert.Equal(
            [
                ".kiln.yml:4:20: duplicate key 'A'; it is already set at line 4, column 12 (hint: remove one of them)",
                ".kiln.yml:5:3: duplicate key 'a'; it is already set at line 2, column 3 (hint: remove one of them)",
                ".kiln.yml:8:1: duplicate key 'env'; it is already set at line 7, column 1 (hint: remove one of them)",
            ],
            Errors(Yaml));
    }

    [Fact]
    public void Non_scalar_keys() =>
        Assert.Equal([".kiln.yml:1:3: a key must be a plain value, not a list"], Errors("? [a]\n: b\njobs: { a: { steps: [x] } }\n"));

    [Fact]
    public void Needs_unknown_job_with_hint_and_self_and_repeats()
    {
        const string Yaml = """
            jobs:
              build: { steps: [x] }
              test:
                needs: [biuld, test, deploy]
                steps: [y]
              lint:
                needs: [build, build]
                steps: [z]
            """;

        var result = PipelineParser.Parse(Yaml);

        Assert.Equal(
            [
                ".kiln.yml:4:13: job 'test' needs 'biuld', which is not a job in this pipeline (hint: did you mean 'build'?)",
                ".kiln.yml:4:20: job 'test' needs itself",
                ".kiln.yml:4:26: job 'test' needs 'deploy', which is not a job in this pipeline",
                ".kiln.yml:7:20: job 'lint' lists 'build' in 'needs' more than once",
            ],
            result.Errors.Select(e => e.ToString()));
        Assert.Equal("jobs.test.needs", result.Errors[0].Key);
    }

    [Fact]
    public void Needs_must_be_ids() =>
        Assert.Equal(
            [".kiln.yml:2:16: 'needs' must be a job id or a list of job ids, not a mapping"],
            Errors("jobs:\n  a: { needs: [{ x: y }], steps: [x] }\n"));

    [Fact]
    public void A_cycle_is_one_error_that_spells_it()
    {
        const string Yaml = """
            jobs:
              a: { needs: [b], steps: [x] }
              b: { needs: [c], steps: [x] }
              c: { needs: [a], steps: [x] }
              d: { needs: [a], steps: [x] }
            """;

        var result = PipelineParser.Parse(Yaml);

        var error = Assert.Single(result.Errors);
        Assert.Equal("needs cycle: a -> b -> c -> a", error.Message);
        Assert.Equal((4, 16), (error.Line, error.Column));
    }

    [Fact]
    public void Two_separate_cycles_are_two_errors()
    {
        var result = PipelineParser.Parse("jobs:\n  a: { needs: [b], steps: [x] }\n  b: { needs: [a], steps: [x] }\n  c: { needs: [d], steps: [x] }\n  d: { needs: [c], steps: [x] }\n");

        Assert.Equal(["needs cycle: a -> b -> a", "needs cycle: c -> d -> c"], result.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Reports_all_problems_at_once_sorted_by_position()
    {
        const string Yaml = """
            envv: {}
            jobs:
              a:
                timeout: soon
                steps:
                  - run: make
                    timeout: later
              b:
                needs: [nope]
                steps: []
            """;

        var errors = PipelineParser.Parse(Yaml).Errors;

        Assert.Equal([(1, 1), (4, 14), (7, 18), (9, 13), (10, 12)], errors.Select(e => (e.Line, e.Column)));
    }

    [Fact]
    public void Yaml_syntax_error_has_its_position_and_no_prefix()
    {
        var result = PipelineParser.Parse("jobs:\n  a:\n    steps: [x, y\n    env: {}\n");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("invalid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx", error.Message, StringComparison.Ordinal);
        Assert.Equal((3, 14), (error.Line, error.Column)); // where YamlDotNet noticed the unclosed list
    }

    [Fact]
    public void A_yaml_reader_failure_points_where_reading_stopped()
    {
        // YamlDotNet throws InvalidOperationException (not YamlException) on this input.
        var error = Assert.Single(PipelineParser.Parse("jobs:\n  a:\n    steps: [x\n  b: 1\n").Errors);

        Assert.Equal(".kiln.yml:3:12: invalid YAML: the file cannot be read past this point", error.ToString());
    }

    [Fact]
    public void Tab_indentation_is_a_syntax_error_not_an_exception()
    {
        var error = Assert.Single(PipelineParser.Parse("jobs:\n\ta: 1\n").Errors);
        Assert.Equal("invalid YAML: While scanning a mapping, found invalid tab as indentation.", error.Message);
    }

    [Fact]
    public void More_than_one_document()
    {
        var errors = Errors("jobs: { a: { steps: [x] } }\n---\njobs: { b: { steps: [y] } }\n");

        Assert.Equal([".kiln.yml:2:1: the file holds more than one YAML document; a pipeline is a single document"], errors);
    }

    [Fact]
    public void Unknown_alias()
    {
        var error = Assert.Single(PipelineParser.Parse("env: *nope\njobs: { a: { steps: [x] } }\n").Errors);

        Assert.Equal((1, 6), (error.Line, error.Column));
        Assert.Contains("*nope", error.Message, StringComparison.Ordinal);
    }
}
