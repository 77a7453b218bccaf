using Kiln.Core.Triggers;
using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

/// <summary><c>when</c>, skips and interpolation at plan time.</summary>
public sealed class PlanningTests
{
    private const string Conditional = """
        jobs:
          build: { steps: [x] }
          docs:
            when: { changes: ["docs/**", "*.md"] }
            steps: [x]
          release:
            needs: build
            when: { tags: ["v*"], events: [tag] }
            steps: [x]
          deploy:
            when: { branches: [main, "release/*"], events: [push, manual] }
            steps: [x]
        """;

    private static Dictionary<string, string?> Skips(PlanContext context) =>
        PipelinePlanner.Plan(PipelineModelTests.Parse(Conditional), context).ToDictionary(j => j.Name, j => j.SkipReason);

    [Fact]
    public void When_decides_per_build()
    {
        var push = Skips(new PlanContext { Event = TriggerEvent.Push, Branch = "dev", ChangedFiles = ["src/a.cs"] });

        Assert.Null(push["build"]);
        Assert.Equal("when.changes: no changed file matches docs/**, *.md", push["docs"]);
        Assert.Equal("when.tags: the build has no tag to match v*", push["release"]);
        Assert.Equal("when.branches: 'dev' matches none of main, release/*", push["deploy"]);

        var main = Skips(new PlanContext { Event = TriggerEvent.Push, Branch = "release/2.0", ChangedFiles = ["README.md"] });
        Assert.Null(main["docs"]);
        Assert.Null(main["deploy"]);

        var tag = Skips(new PlanContext { Event = TriggerEvent.Tag, Tag = "v1.2" });
        Assert.Null(tag["docs"]); // changed files unknown: passes
        Assert.Null(tag["release"]);
        Assert.Equal("when.branches: the build has no branch to match main, release/*", tag["deploy"]);

        var manual = Skips(new PlanContext { Event = TriggerEvent.Manual, Branch = "main", Tag = "x1" });
        Assert.Equal("when.tags: 'x1' matches none of v*", manual["release"]);
        Assert.Null(manual["deploy"]);

        var api = Skips(new PlanContext { Event = TriggerEvent.Api, Branch = "main" });
        Assert.Equal("when.events: 'api' is not one of push, manual", api["deploy"]);
    }

    [Fact]
    public void Skips_cascade_to_the_jobs_that_need_a_skipped_job()
    {
        // The parser refuses a need that `when` can break; a definition built in code can still have one.
        var pipeline = Definitions.Pipeline(
            Definitions.Job("a") with { When = new WhenDefinition { Branches = ["main"] } },
            Definitions.Job("b", "a") with { Matrix = new MatrixDefinition { Axes = [("n", ["1", "2"])] } },
            Definitions.Job("c", "b"),
            Definitions.Job("d"));

        var plan = PipelinePlanner.Plan(pipeline, new PlanContext { Event = TriggerEvent.Push, Branch = "dev" });

        Assert.Equal(
            [
                ("a", "when.branches: 'dev' matches none of main"),
                ("b (n=1)", "needs 'a', which was skipped"),
                ("b (n=2)", "needs 'a', which was skipped"),
                ("c", "needs 'b', which was skipped"),
                ("d", null),
            ],
            plan.Select(j => (j.Name, j.SkipReason)));
    }

    [Fact]
    public void Interpolates_every_field_but_run()
    {
        var pipeline = PipelineModelTests.Parse("""
            inputs:
              target-env: { default: staging }
            env: { REGION: eu, LABEL: "${REGION}-x" }
            jobs:
              deploy:
                name: deploy ${KILN_INPUT_TARGET_ENV} to ${REGION} (${KILN_MATRIX_SLOT})
                matrix: { slot: [blue] }
                env: { TARGET: "${KILN_INPUT_TARGET_ENV}", LITERAL: "$${REGION}", UNKNOWN: "${NOPE}", BRANCH: "${KILN_BRANCH}@${KILN_EVENT}" }
                image: "img:${KILN_MATRIX_SLOT}"
                runs-on: ["${REGION}"]
                working-directory: "envs/${KILN_INPUT_TARGET_ENV}"
                services: { db: { image: "db:${REGION}", env: { D: "${KILN_TAG}" } } }
                artifacts: { paths: ["out/${KILN_MATRIX_SLOT}/**"] }
                cache: { key: "deps-${REGION}", paths: ["${REGION}/.deps"] }
                concurrency: "deploy-${KILN_INPUT_TARGET_ENV}"
                steps:
                  - name: step ${REGION}
                    run: echo ${REGION} ${KILN_INPUT_TARGET_ENV}
                    env: { S: "${TARGET}/${KILN_MATRIX_SLOT}" }
                    working-directory: "${KILN_MATRIX_SLOT}"
            """);
        var (inputs, errors) = InputResolver.Resolve(pipeline.Inputs, new Dictionary<string, string>());
        Assert.Empty(errors);

        var job = Assert.Single(PipelinePlanner.Plan(pipeline, new PlanContext { Event = TriggerEvent.Push, Branch = "main", Inputs = inputs }));

        Assert.Equal("deploy (slot=blue)", job.Name);
        Assert.Equal("deploy staging to eu (blue)", job.DisplayName);
        Assert.Equal("eu-x", job.Env["LABEL"]);
        Assert.Equal("staging", job.Env["TARGET"]);
        Assert.Equal("${REGION}", job.Env["LITERAL"]);
        Assert.Equal("${NOPE}", job.Env["UNKNOWN"]);
        Assert.Equal("main@push", job.Env["BRANCH"]);
        Assert.Equal("img:blue", job.Image);
        Assert.Equal(["eu"], job.RunsOn);
        Assert.Equal("envs/staging", job.WorkingDirectory);
        Assert.Equal("db:eu", job.Services[0].Image);
        Assert.Equal("", job.Services[0].Env["D"]);
        Assert.Equal(["out/blue/**"], job.Artifacts!.Paths);
        Assert.Equal("deps-eu", job.Cache!.Key);
        Assert.Equal(["eu/.deps"], job.Cache.Paths);
        Assert.Equal("deploy-staging", job.Concurrency!.Group);
        var step = job.Steps[0];
        Assert.Equal("step eu", step.Name);
        Assert.Equal("echo ${REGION} ${KILN_INPUT_TARGET_ENV}", step.Run);
        Assert.Equal("staging/blue", step.Env["S"]); // step env sees the job's env as interpolated, as the shell does
        Assert.Equal("blue", step.WorkingDirectory);
    }

    [Fact]
    public void Leaves_what_is_not_a_variable_reference()
    {
        var x = Interpolator.Over(new Dictionary<string, string> { ["A"] = "1", ["B_C"] = "2" });

        Assert.Equal("1-2 ${ A } ${1X} $A ${ ${B_C $$ ${A} $${A}} $", x.Expand("${A}-${B_C} ${ A } ${1X} $A ${ ${B_C $$ $${A} $$${A}} $"));
    }

    [Fact]
    public void Matrix_inputs_and_event_come_before_env_in_lookups()
    {
        var pipeline = PipelineModelTests.Parse("""
            env: { KILN_MATRIX_OS: env, KILN_INPUT_X: env, KILN_EVENT: env, E: "${KILN_MATRIX_OS}/${KILN_INPUT_X}/${KILN_EVENT}" }
            jobs:
              a: { matrix: { os: [m] }, image: "${KILN_MATRIX_OS}/${KILN_INPUT_X}/${KILN_EVENT}", steps: [x] }
            """);

        var job = Assert.Single(PipelinePlanner.Plan(pipeline, new PlanContext { Event = TriggerEvent.Api, Inputs = new Dictionary<string, string> { ["x"] = "in" } }));

        Assert.Equal("m/in/api", job.Env["E"]);
        Assert.Equal("m/in/api", job.Image);
        Assert.Equal("m", job.Env["KILN_MATRIX_OS"]); // the matrix overrides env
    }

    [Theory]
    [InlineData("${A}", "1")]
    [InlineData("$${A}", "${A}")]
    [InlineData("a${A}b${A}", "a1b1")]
    [InlineData("${MISSING}", "${MISSING}")]
    [InlineData("${A", "${A")]
    [InlineData("$", "$")]
    [InlineData("${_x9}", "ok")]
    [InlineData("", "")]
    public void Interpolation_cases(string text, string expected) =>
        Assert.Equal(expected, Interpolator.Over(new Dictionary<string, string> { ["A"] = "1", ["_x9"] = "ok" }).Expand(text));

    [Fact]
    public void Event_context_without_branch_or_tag_is_empty()
    {
        var job = Assert.Single(PipelinePlanner.Plan(
            PipelineModelTests.Parse("jobs:\n  a: { env: { B: \"[${KILN_BRANCH}][${KILN_TAG}][${KILN_EVENT}]\" }, steps: [x] }\n"),
            new PlanContext { Event = TriggerEvent.Schedule }));

        Assert.Equal("[][][schedule]", job.Env["B"]);
    }

    [Fact]
    public void Carries_every_job_and_step_setting_into_the_plan()
    {
        var job = Assert.Single(PipelinePlanner.Plan(PipelineModelTests.Parse("""
            jobs:
              a:
                timeout: 1h
                retry: { max: 2, on: [failed] }
                allow-failure: true
                manual: true
                shell: sh
                artifacts: { paths: [out], expire: 2d }
                steps:
                  - run: x
                    timeout: 1m
                    continue-on-error: true
                    if: always
                    shell: bash
            """)));

        Assert.Equal("a", job.Name);
        Assert.Null(job.DisplayName);
        Assert.Empty(job.Matrix);
        Assert.Equal(TimeSpan.FromHours(1), job.Timeout);
        Assert.Equal(2, job.Retry!.Max);
        Assert.True(job.AllowFailure);
        Assert.True(job.Manual);
        Assert.Equal("sh", job.Shell);
        Assert.Equal(TimeSpan.FromDays(2), job.Artifacts!.Expire);
        Assert.Null(job.SkipReason);
        var step = job.Steps[0];
        Assert.Equal(TimeSpan.FromMinutes(1), step.Timeout);
        Assert.True(step.ContinueOnError);
        Assert.Equal(StepCondition.Always, step.If);
        Assert.Equal("bash", step.Shell);
    }
}
