using Kiln.Core.Triggers;
using System.Diagnostics;
using System.Text;
using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class PipelineParserRobustnessTests
{
    private const string Valid = """
        on:
          push: { branches: [main, "release/*"] }
          pull_request: {}
          tag: { tags: ["v*"] }
          schedule: ["0 3 * * 1-5", "@daily"]
          manual: true
        inputs:
          target: { default: all, description: what to build, options: [all, lib] }
          level: { required: true }
        include: [ci/templates.yml]
        templates:
          base:
            runs-on: [linux]
            env: { BASE: "1" }
            retry: { max: 2, on: [lost, failed] }
        env:
          CONFIGURATION: Release
        jobs:
          build:
            name: build ${KILN_INPUT_TARGET}
            extends: [base, shared]
            image: debian:12
            services: { db: { image: "postgres:16", env: { POSTGRES_PASSWORD: x }, ports: ["5432"] }, cache: "redis:7" }
            env: { A: "1" }
            timeout: 20m
            concurrency: { group: "build-${KILN_BRANCH}", cancel-in-progress: true }
            artifacts: { paths: ["out/**"], expire: 30d }
            cache: { key: deps, paths: [.deps] }
            working-directory: src
            shell: bash
            steps:
              - name: compile
                run: |
                  make all
                  make pack
                if: always
                continue-on-error: false
                shell: sh
                working-directory: sub
              - run: ./pack.sh
                timeout: 5m
          test:
            needs: [build]
            matrix: { shard: [1, 2, 3], os: [a, b], include: [{ shard: 4, os: a }], exclude: [{ shard: 1, os: b }] }
            allow-failure: true
            manual: false
            retry: 1
            steps:
              - ./test.sh
          deploy:
            needs: test
            when: { branches: [main], events: [push], changes: ["src/**"] }
            steps: [./deploy.sh]
        """;

    private const string Templates = """
        templates:
          shared:
            timeout: 10m
            env: { SHARED: "1" }
        """;

    private static PipelineParseResult Parse(string yaml) =>
        PipelineParser.Parse(yaml, includeResolver: path => path == "ci/templates.yml" ? Templates : null);

    [Fact]
    public void The_mutation_seed_is_valid()
    {
        var result = Parse(Valid);
        Assert.True(result.Success, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Billion_laughs_fails_fast()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 10; i++)
        {
            yaml.Append($"a{i}: &a{i} [");
            yaml.AppendJoin(", ", Enumerable.Repeat($"*a{i - 1}", 10));
            yaml.Append("]\n");
        }

        yaml.Append("jobs: { a: { steps: [x] } }\n");
        // How fast this fails is measured by bench/Kiln.Bench.Pipeline (hostile files), not here.
        var result = PipelineParser.Parse(yaml.ToString());

        var error = Assert.Single(result.Errors);
        Assert.Contains("too large or complex", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.Line); // a4 already stands for 111,111 nodes
    }

    [Fact]
    public void Many_plain_nodes_over_the_limit_are_rejected()
    {
        var yaml = "env:\n" + string.Concat(Enumerable.Range(0, 30_000).Select(i => $"  V{i}: x\n")) + "jobs: { a: { steps: [x] } }\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Contains("more than 50000 nodes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(97, true)] // 3 mappings (top, jobs, job) + 97 lists = 100 levels
    [InlineData(98, false)]
    [InlineData(100_000, false)]
    public void Deep_nesting_is_an_error_not_a_crash(int lists, bool withinLimit)
    {
        var yaml = "jobs:\n  a:\n    steps: [x]\n    matrix: " + new string('[', lists) + new string(']', lists) + "\n";

        var result = PipelineParser.Parse(yaml);

        // Within the limit the file loads, and only the matrix's shape is wrong.
        Assert.Equal(withinLimit, result.Errors.All(e => !e.Message.Contains("nested deeper", StringComparison.Ordinal)));
        if (withinLimit)
        {
            Assert.StartsWith("'matrix' must be a mapping", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        }
        else
        {
            var error = Assert.Single(result.Errors);
            Assert.Equal("the document is nested deeper than 100 levels", error.Message);
        }
    }

    [Fact]
    public void Deep_nesting_through_aliases_is_an_error()
    {
        var yaml = "x: &deep " + new string('[', 60) + new string(']', 60) + "\ny: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*deep]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\njobs: { a: { steps: [x] } }\n";

        var error = Assert.Single(PipelineParser.Parse(yaml).Errors);

        Assert.Equal("the document is nested deeper than 100 levels", error.Message);
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\uFEFF")]
    [InlineData("{")]
    [InlineData("]")]
    [InlineData("&a")]
    [InlineData("*")]
    [InlineData("!!binary ~")]
    [InlineData("%YAML 9.9\n---\na: 1")]
    [InlineData("? ? ? ?")]
    [InlineData("jobs: { a: { steps: [x] } }\n...\n...\n")]
    [InlineData("'unterminated")]
    [InlineData("a: b: c")]
    [InlineData("\ud800")]
    public void Odd_inputs_never_throw(string yaml)
    {
        var result = PipelineParser.Parse(yaml);

        Assert.True(result.Success || result.Errors.Count > 0);
    }

    [Fact]
    public void Random_mutations_of_a_valid_file_never_throw()
    {
        var random = new Random(20240611);
        var watch = Stopwatch.StartNew();
        int succeeded = 0, failed = 0;
        for (var i = 0; i < 2000 && watch.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            // Every fourth round mutates the included file instead of the pipeline.
            var mutateInclude = i % 4 == 3;
            var mutated = mutateInclude ? Valid : Mutate(Valid, random);
            var include = mutateInclude ? Mutate(Templates, random) : Templates;
            var result = PipelineParser.Parse(mutated, includeResolver: path => path == "ci/templates.yml" ? include : null);

            var shown = mutateInclude ? include : mutated;
            Assert.True(result.Success ^ (result.Errors.Count > 0), shown);
            Assert.All(result.Errors, error => Assert.True(error.Line >= 1 && error.Column >= 1, $"{error} in\n{shown}"));
            if (result.Success)
            {
                succeeded++;
                Assert.NotEmpty(result.Pipeline!.Jobs);
                Assert.NotEmpty(PipelinePlanner.Plan(result.Pipeline, new PlanContext { Event = TriggerEvent.Push, Branch = "main" }));
            }
            else
            {
                failed++;
                if (mutateInclude)
                {
                    Assert.All(result.Errors, e => Assert.True(e.File is ".kiln.yml" or "ci/templates.yml", e.File));
                }
            }
        }

        Assert.Equal(2000, succeeded + failed);
        Assert.True(succeeded > 0 && failed > 0, $"{succeeded} succeeded, {failed} failed");
    }

    private static string Mutate(string valid, Random random)
    {
        const string Alphabet = ":-[]{},&*!|>'\"#?% \n\t\r\0abcxyz019~@`$";
        var text = new StringBuilder(valid);
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(text.Length);
            switch (random.Next(4))
            {
                case 0:
                    text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                    break;
                case 1:
                    text.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 2:
                    text[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                default:
                    var from = random.Next(text.Length);
                    var length = Math.Min(random.Next(1, 20), text.Length - from);
                    text.Insert(at, text.ToString(from, length));
                    break;
            }

            if (text.Length == 0)
            {
                text.Append(valid);
            }
        }

        return text.ToString();
    }
}
