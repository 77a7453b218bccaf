using Kiln.Core.Triggers;
using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class MatrixTests
{
    private static IReadOnlyList<PlannedJob> Plan(string yaml, PlanContext? context = null) =>
        PipelinePlanner.Plan(PipelineModelTests.Parse(yaml), context ?? new PlanContext { Event = TriggerEvent.Push, Branch = "main" });

    private static string[] Errors(string yaml) => PipelineParser.Parse(yaml).Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void Expands_the_product_in_file_order_minus_excludes_plus_includes()
    {
        var plan = Plan("""
            jobs:
              test:
                matrix:
                  shard: [1, 2, 3]
                  os: [a, b]
                  exclude: [{ shard: 1, os: b }, { shard: 3 }]
                  include: [{ shard: 4, os: a }, { shard: 2, os: b, extra: yes }]
                steps: [x]
            """);

        Assert.Equal(
            ["test (shard=1, os=a)", "test (shard=2, os=a)", "test (shard=2, os=b, extra=yes)", "test (shard=4, os=a)"],
            plan.Select(j => j.Name));
        Assert.All(plan, j => Assert.Equal("test", j.DefinitionId));
        Assert.Equal(new Dictionary<string, string> { ["shard"] = "2", ["os"] = "b", ["extra"] = "yes" }, plan[2].Matrix);
    }

    [Fact]
    public void An_include_naming_no_axis_extends_every_combination()
    {
        var combinations = MatrixExpander.Expand(new MatrixDefinition
        {
            Axes = [("os", ["a", "b"])],
            Include = [new Dictionary<string, string> { ["arch"] = "x64" }],
        });

        Assert.Equal(["m (os=a, arch=x64)", "m (os=b, arch=x64)"], combinations.Select(c => MatrixExpander.JobName("m", c)));
    }

    [Fact]
    public void Includes_alone_make_combinations()
    {
        var plan = Plan("jobs:\n  t:\n    matrix: { include: [{ v: 1 }, { v: 2 }] }\n    steps: [x]\n");

        Assert.Equal(["t (v=1)", "t (v=2)"], plan.Select(j => j.Name));
    }

    [Fact]
    public void Axes_become_kiln_matrix_variables_in_job_and_step_env()
    {
        var job = Plan("""
            env: { KILN_MATRIX_OS: pipeline }
            jobs:
              t:
                matrix: { os-name: [linux], shard: [1] }
                steps:
                  - run: x
                    env: { S: "1" }
            """)[0];

        Assert.Equal("linux", job.Env["KILN_MATRIX_OS_NAME"]);
        Assert.Equal("1", job.Env["KILN_MATRIX_SHARD"]);
        Assert.Equal("linux", job.Steps[0].Env["KILN_MATRIX_OS_NAME"]);
        Assert.Equal("1", job.Steps[0].Env["S"]);
    }

    [Fact]
    public void Needing_a_matrix_job_needs_all_its_expansions()
    {
        var plan = Plan("""
            jobs:
              build: { matrix: { os: [a, b] }, steps: [x] }
              lint: { steps: [x] }
              test: { needs: [build, lint], steps: [x] }
              pack: { needs: build, steps: [x] }
            """);

        Assert.Equal(["build (os=a)", "build (os=b)", "lint", "test", "pack"], plan.Select(j => j.Name));
        Assert.Equal(["build (os=a)", "build (os=b)", "lint"], plan[3].Needs);
        Assert.Equal(["build (os=a)", "build (os=b)"], plan[4].Needs);
    }

    [Fact]
    public void Values_are_kept_as_written() =>
        Assert.Equal(["t (v=01)", "t (v=1.50)", "t (v=yes)"], Plan("jobs:\n  t: { matrix: { v: [01, 1.50, yes] }, steps: [x] }\n").Select(j => j.Name));

    [Fact]
    public void More_than_256_combinations_is_an_error_at_the_matrix_key()
    {
        Assert.Equal(
            [".kiln.yml:3:5: the matrix of job 't' has 300 combinations; at most 256 are allowed"],
            Errors($"jobs:\n  t:\n    matrix: {{ a: [{string.Join(", ", Enumerable.Range(0, 30))}], b: [{string.Join(", ", Enumerable.Range(0, 10))}] }}\n    steps: [x]\n"));
        Assert.Equal(
            [".kiln.yml:3:5: the matrix of job 't' has 100000 combinations; at most 256 are allowed"],
            Errors($"jobs:\n  t:\n    matrix: {{ a: [{string.Join(", ", Enumerable.Range(0, 100))}], b: [{string.Join(", ", Enumerable.Range(0, 100))}], c: [{string.Join(", ", Enumerable.Range(0, 10))}] }}\n    steps: [x]\n"));
    }

    [Fact]
    public void Exactly_256_combinations_after_exclude_is_fine()
    {
        var yaml = $"jobs:\n  t:\n    matrix:\n      a: [{string.Join(", ", Enumerable.Range(0, 257))}]\n      exclude: [{{ a: 0 }}]\n    steps: [x]\n";

        Assert.Equal(256, Plan(yaml).Count);
    }

    [Fact]
    public void Matrix_shape_errors()
    {
        const string Yaml = """
            jobs:
              a:
                matrix:
                  empty: []
                  scalar: 1
                  nested: [[1]]
                  1bad: [x]
                  os: [a]
                  exclude: [{ oss: a }, x]
                  include: [{ os: { a: b } }]
                steps: [x]
              b: { matrix: [1], steps: [x] }
              c: { matrix: {}, steps: [x] }
              d: { matrix: { a-b: [1], a_b: [2] }, steps: [x] }
            """;

        Assert.Equal(
            [
                ".kiln.yml:4:14: matrix axis 'empty' is empty",
                ".kiln.yml:5:15: matrix axis 'scalar' must be a list of values, not a string (hint: write 'scalar: [a, b]')",
                ".kiln.yml:6:16: a matrix value must be a plain value, not a list",
                ".kiln.yml:7:7: matrix axis '1bad' must start with a letter or '_' and hold only letters, digits, '_' and '-'",
                ".kiln.yml:9:19: exclude names 'oss', which is not a matrix axis (hint: did you mean 'os'?)",
                ".kiln.yml:9:29: each 'exclude' entry must be a mapping like { axis: value }, not a string",
                ".kiln.yml:10:23: a matrix value must be a plain value, not a mapping",
                ".kiln.yml:12:16: 'matrix' must be a mapping of axes to lists of values, not a list (hint: write 'matrix: { shard: [1, 2, 3] }')",
                ".kiln.yml:13:8: the matrix of job 'c' has no axes (hint: add an axis like 'shard: [1, 2, 3]')",
                ".kiln.yml:14:28: matrix keys 'a-b' and 'a_b' would both be KILN_MATRIX_A_B (hint: rename one of them)",
            ],
            Errors(Yaml));
    }

    [Fact]
    public void Excluding_everything_and_repeated_combinations_are_errors()
    {
        Assert.Equal(
            [".kiln.yml:2:8: the matrix of job 't' excludes every combination"],
            Errors("jobs:\n  t: { matrix: { a: [1], exclude: [{ a: 1 }] }, steps: [x] }\n"));
        Assert.Equal(
            [".kiln.yml:2:8: the matrix of job 't' yields the combination (a=1) more than once (hint: remove the repeated value or include entry)"],
            Errors("jobs:\n  t: { matrix: { a: [1, 2, 1] }, steps: [x] }\n"));
    }
}
