using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class TemplateTests
{
    private const string Shared = """
        templates:
          linux:
            runs-on: [linux]
            image: debian:12
            env: { A: shared, B: shared }
            steps: [shared-step]
          slow:
            extends: linux
            timeout: 2h
            env: { C: slow }
        """;

    private static Func<string, string?> Files(params (string Path, string Text)[] files) =>
        path => files.FirstOrDefault(f => f.Path == path).Text;

    private static PipelineParseResult Parse(string yaml, Func<string, string?>? files = null) =>
        PipelineParser.Parse(yaml, includeResolver: files ?? Files(("ci/shared.yml", Shared)));

    [Fact]
    public void A_job_gets_the_template_keys_under_its_own()
    {
        var result = Parse("""
            include: [ci/shared.yml]
            jobs:
              build:
                extends: linux
                env: { B: job, D: job }
                image: alpine:3
                steps: [make]
            """);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        var job = result.Pipeline!.Jobs[0];
        Assert.Equal(["linux"], job.RunsOn);
        Assert.Equal("alpine:3", job.Image);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "shared", ["B"] = "job", ["D"] = "job" }, job.Env);
        Assert.Equal(["make"], job.Steps.Select(s => s.Run));
        Assert.Null(job.Steps[0].Location.File);
    }

    [Fact]
    public void Steps_may_come_from_a_template_and_keep_their_file()
    {
        var result = Parse("include: ci/shared.yml\njobs:\n  a: { extends: linux }\n");

        Assert.True(result.Success, string.Join("\n", result.Errors));
        var step = Assert.Single(result.Pipeline!.Jobs[0].Steps);
        Assert.Equal("shared-step", step.Run);
        Assert.Equal(new SourceLocation(6, 13) { File = "ci/shared.yml" }, step.Location);
    }

    [Fact]
    public void Templates_extend_templates_and_a_list_applies_in_order()
    {
        var result = Parse("""
            include: [ci/shared.yml]
            templates:
              fast:
                timeout: 5m
                env: { C: fast, E: fast }
            jobs:
              a: { extends: slow }
              b: { extends: [slow, fast] }
              c: { extends: [fast, slow], timeout: 1m }
            """);

        Assert.True(result.Success, string.Join("\n", result.Errors));
        var (a, b, c) = (result.Pipeline!.Jobs[0], result.Pipeline.Jobs[1], result.Pipeline.Jobs[2]);
        Assert.Equal(TimeSpan.FromHours(2), a.Timeout);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "shared", ["B"] = "shared", ["C"] = "slow" }, a.Env);
        Assert.Equal(["linux"], a.RunsOn);
        Assert.Equal(TimeSpan.FromMinutes(5), b.Timeout);
        Assert.Equal("fast", b.Env["C"]);
        Assert.Equal("fast", b.Env["E"]);
        Assert.Equal(TimeSpan.FromMinutes(1), c.Timeout);
        Assert.Equal("slow", c.Env["C"]);
    }

    [Fact]
    public void Templates_in_the_main_file_need_no_resolver()
    {
        var result = PipelineParser.Parse("templates:\n  t: { retry: 3 }\njobs:\n  a: { extends: t, steps: [x] }\n");

        Assert.True(result.Success, string.Join("\n", result.Errors));
        Assert.Equal(3, result.Pipeline!.Jobs[0].Retry!.Max);
    }

    [Fact]
    public void Include_without_a_resolver_is_an_error()
    {
        var error = Assert.Single(PipelineParser.Parse("include: [a.yml]\njobs:\n  a: { steps: [x] }\n").Errors);

        Assert.Equal(".kiln.yml:1:1: include needs a repository to read from (hint: put the templates under 'templates:' in this file)", error.ToString());
    }

    [Fact]
    public void Include_items_are_checked()
    {
        var errors = Parse("include:\n  - ci/missing.yml\n  - ../up.yml\n  - /abs.yml\n  - ci/shared.yml\n  - ci/shared.yml\njobs:\n  a: { steps: [x] }\n").Errors;

        Assert.Equal(
            [
                ".kiln.yml:2:5: included file 'ci/missing.yml' was not found",
                ".kiln.yml:3:5: '../up.yml' must be a relative path inside the repository, without '..' (hint: write it like 'ci/templates.yml')",
                ".kiln.yml:4:5: '/abs.yml' must be a relative path inside the repository, without '..' (hint: write it like 'ci/templates.yml')",
                ".kiln.yml:6:5: 'ci/shared.yml' is included more than once",
            ],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Errors_in_an_included_file_carry_its_name_and_position()
    {
        const string Bad = """
            templates:
              t:
                timeout: never
                stesp: [x]
                matrix: { shard: [] }
            jobs: {}
            """;

        var errors = Parse("include: [ci/bad.yml]\njobs:\n  a:\n    extends: t\n    steps: [x]\n  b:\n    extends: t\n    steps: [y]\n", Files(("ci/bad.yml", Bad))).Errors;

        Assert.Equal(
            [
                "ci/bad.yml:3:14: 'timeout' must be a duration like 90s, 20m or 1h, not 'never'",
                "ci/bad.yml:4:5: unknown key 'stesp' in template 't' (hint: did you mean 'steps'?)",
                "ci/bad.yml:5:22: matrix axis 'shard' is empty",
                "ci/bad.yml:6:1: unknown key 'jobs' in an included file; it may hold only 'templates'",
            ],
            errors.Select(e => e.ToString()));
        Assert.Equal("ci/bad.yml", errors[0].File);
    }

    [Fact]
    public void Yaml_errors_in_an_included_file_carry_its_name()
    {
        var error = Assert.Single(Parse("include: [x.yml]\njobs:\n  a: { steps: [x] }\n", Files(("x.yml", "templates:\n  t: [a\n"))).Errors);

        Assert.Equal("x.yml", error.File);
        Assert.StartsWith("invalid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Included_file_shapes()
    {
        var files = Files(("empty.yml", "# nothing\n"), ("list.yml", "- a\n"), ("none.yml", "templtes: {}\n"));

        var errors = Parse("include: [empty.yml, list.yml, none.yml]\njobs:\n  a: { steps: [x] }\n", files).Errors;

        Assert.Equal(
            [
                ".kiln.yml:1:11: included file 'empty.yml' is empty; it should hold 'templates:'",
                "list.yml:1:1: an included file must be a mapping with a 'templates' key, not a list",
                "none.yml:1:1: unknown key 'templtes' in an included file; it may hold only 'templates' (hint: did you mean 'templates'?)",
                "none.yml:1:1: the included file has no 'templates' mapping (hint: add 'templates:' with the job templates)",
            ],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Unknown_template_cycles_and_duplicates()
    {
        const string Yaml = """
            include: [ci/shared.yml]
            templates:
              linux: { timeout: 1m }
              x: { extends: y }
              y: { extends: [z] }
              z: { extends: x }
            jobs:
              a: { extends: [slwo], steps: [s] }
              b: { extends: x, steps: [s] }
            """;

        Assert.Equal(
            [
                ".kiln.yml:3:3: template 'linux' is already defined in ci/shared.yml at line 2, column 3 (hint: rename one of them)",
                ".kiln.yml:6:17: extends cycle: x -> y -> z -> x (hint: a template cannot extend, directly or not, a template that extends it)",
                ".kiln.yml:8:18: template 'slwo' is not defined (hint: did you mean 'slow'?)",
            ],
            Parse(Yaml).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Extends_of_an_unknown_template_without_any_templates()
    {
        var error = Assert.Single(PipelineParser.Parse("jobs:\n  a: { extends: base, steps: [x] }\n").Errors);

        Assert.Equal(".kiln.yml:2:17: template 'base' is not defined (hint: define it under 'templates:' in this file or in an included one)", error.ToString());
    }

    [Fact]
    public void A_template_without_steps_leaves_the_job_needing_them()
    {
        var error = Assert.Single(PipelineParser.Parse("templates:\n  t: { timeout: 1m }\njobs:\n  a: { extends: t }\n").Errors);

        Assert.Equal(".kiln.yml:4:3: job 'a' has no 'steps' (hint: add 'steps:' with at least one '- run: <command>')", error.ToString());
    }

    [Fact]
    public void Needs_and_when_from_a_template_are_validated_for_the_job()
    {
        const string Yaml = """
            templates:
              t: { needs: [nope] }
            jobs:
              a: { extends: t, steps: [x] }
            """;

        Assert.Equal(
            [".kiln.yml:2:16: job 'a' needs 'nope', which is not a job in this pipeline"],
            PipelineParser.Parse(Yaml).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Template_names_and_shapes()
    {
        Assert.Equal(
            [
                ".kiln.yml:2:3: template name 'a b' may hold only letters, digits, '_', '-' and '.'",
                ".kiln.yml:3:3: template 'e' is empty",
                ".kiln.yml:4:6: template 'l' must be a mapping of job keys, not a list",
            ],
            PipelineParser.Parse("templates:\n  'a b': {}\n  e:\n  l: [x]\njobs:\n  a: { steps: [x] }\n").Errors.Select(e => e.ToString()));
    }
}
