using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

/// <summary>Each key of the language lands in the model.</summary>
public sealed class PipelineModelTests
{
    internal static PipelineDefinition Parse(string yaml, Func<string, string?>? includes = null)
    {
        var result = PipelineParser.Parse(yaml, includeResolver: includes);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Pipeline!;
    }

    [Fact]
    public void Reads_every_job_key()
    {
        var job = Parse("""
            jobs:
              build:
                name: Build it
                runs-on: [linux, big]
                image: debian:12
                services:
                  db: { image: "postgres:16", env: { POSTGRES_PASSWORD: pw }, ports: ["5432", "8080:80", 53/udp] }
                  cache: redis:7
                timeout: 20m
                retry: { max: 3, on: [failed, timed_out] }
                allow-failure: true
                manual: true
                concurrency: { group: deploy-prod, cancel-in-progress: true }
                artifacts: { paths: ["out/**", dist], expire: 30d }
                cache: { key: deps, paths: [.deps] }
                working-directory: src/app
                shell: python3
                steps: [make]
            """).Jobs[0];

        Assert.Equal("Build it", job.DisplayName);
        Assert.Equal(["linux", "big"], job.RunsOn);
        Assert.Equal("debian:12", job.Image);
        Assert.Equal(2, job.Services.Count);
        Assert.Equal(("db", "postgres:16"), (job.Services[0].Name, job.Services[0].Image));
        Assert.Equal("pw", job.Services[0].Env["POSTGRES_PASSWORD"]);
        Assert.Equal(["5432", "8080:80", "53/udp"], job.Services[0].Ports);
        Assert.Equal(("cache", "redis:7"), (job.Services[1].Name, job.Services[1].Image));
        Assert.Empty(job.Services[1].Env);
        Assert.Empty(job.Services[1].Ports);
        Assert.Equal(TimeSpan.FromMinutes(20), job.Timeout);
        Assert.Equal(3, job.Retry!.Max);
        Assert.Equal(["failed", "timed_out"], job.Retry.On);
        Assert.True(job.AllowFailure);
        Assert.True(job.Manual);
        Assert.Equal(new ConcurrencyDefinition { Group = "deploy-prod", CancelInProgress = true }, job.Concurrency);
        Assert.Equal(["out/**", "dist"], job.Artifacts!.Paths);
        Assert.Equal(TimeSpan.FromDays(30), job.Artifacts.Expire);
        Assert.Equal("deps", job.Cache!.Key);
        Assert.Equal([".deps"], job.Cache.Paths);
        Assert.Equal("src/app", job.WorkingDirectory);
        Assert.Equal("python3", job.Shell);
        Assert.Null(job.Matrix);
        Assert.Null(job.When);
    }

    [Fact]
    public void Defaults_of_a_plain_job()
    {
        var job = Parse("jobs:\n  a: { steps: [x] }\n").Jobs[0];

        Assert.Null(job.DisplayName);
        Assert.Empty(job.RunsOn);
        Assert.Null(job.Image);
        Assert.Empty(job.Services);
        Assert.Null(job.Retry);
        Assert.False(job.AllowFailure);
        Assert.False(job.Manual);
        Assert.Null(job.Concurrency);
        Assert.Null(job.Artifacts);
        Assert.Null(job.Cache);
        Assert.Null(job.WorkingDirectory);
        Assert.Null(job.Shell);
        var step = job.Steps[0];
        Assert.Equal(StepCondition.Success, step.If);
        Assert.False(step.ContinueOnError);
        Assert.Null(step.WorkingDirectory);
        Assert.Null(step.Shell);
    }

    [Fact]
    public void Shorthands()
    {
        var jobs = Parse("""
            jobs:
              a:
                runs-on: linux
                retry: 2
                concurrency: deploy-prod
                artifacts: ["out/*.zip"]
                shell: "node {0}"
                steps: [x]
              b:
                runs-on: []
                artifacts: out
                services:
                steps: [x]
            """).Jobs;

        Assert.Equal(["linux"], jobs[0].RunsOn);
        Assert.Equal(new RetryPolicy { Max = 2 }.Max, jobs[0].Retry!.Max);
        Assert.Equal(["lost"], jobs[0].Retry!.On);
        Assert.Equal(new ConcurrencyDefinition { Group = "deploy-prod" }, jobs[0].Concurrency);
        Assert.Equal(["out/*.zip"], jobs[0].Artifacts!.Paths);
        Assert.Null(jobs[0].Artifacts!.Expire);
        Assert.Equal("node {0}", jobs[0].Shell);
        Assert.Empty(jobs[1].RunsOn);
        Assert.Equal(["out"], jobs[1].Artifacts!.Paths);
        Assert.Empty(jobs[1].Services);
    }

    [Fact]
    public void Retry_mapping_without_on_retries_lost_jobs()
    {
        var retry = Parse("jobs:\n  a: { retry: { max: 0 }, steps: [x] }\n").Jobs[0].Retry!;

        Assert.Equal(0, retry.Max);
        Assert.Equal(["lost"], retry.On);
    }

    [Fact]
    public void Reads_every_step_key()
    {
        var steps = Parse("""
            jobs:
              a:
                steps:
                  - run: make
                    name: compile
                    env: { A: "1" }
                    timeout: 90s
                    continue-on-error: true
                    working-directory: sub/dir
                    if: failure
                    shell: pwsh
                  - run: cleanup
                    if: always
                    shell: sh
                    continue-on-error: false
                  - run: x
                    if: success
            """).Jobs[0].Steps;

        Assert.Equal("compile", steps[0].Name);
        Assert.Equal("1", steps[0].Env["A"]);
        Assert.Equal(TimeSpan.FromSeconds(90), steps[0].Timeout);
        Assert.True(steps[0].ContinueOnError);
        Assert.Equal("sub/dir", steps[0].WorkingDirectory);
        Assert.Equal(StepCondition.Failure, steps[0].If);
        Assert.Equal("pwsh", steps[0].Shell);
        Assert.Equal(StepCondition.Always, steps[1].If);
        Assert.Equal("sh", steps[1].Shell);
        Assert.False(steps[1].ContinueOnError);
        Assert.Equal(StepCondition.Success, steps[2].If);
    }

    [Fact]
    public void Reads_matrix_and_when()
    {
        var job = Parse("""
            jobs:
              test:
                matrix:
                  shard: [1, 2, 03]
                  os: [a, b]
                  include: [{ shard: 4, os: a, extra: x }]
                  exclude: [{ shard: 1, os: b }]
                when: { branches: [main, "release/*"], tags: "v*", events: [push, tag], changes: ["src/**"] }
                steps: [x]
            """).Jobs[0];

        var matrix = job.Matrix!;
        Assert.Equal(["shard", "os"], matrix.Axes.Select(a => a.Axis));
        Assert.Equal(["1", "2", "03"], matrix.Axes[0].Values);
        Assert.Equal(["a", "b"], matrix.Axes[1].Values);
        Assert.Equal(new Dictionary<string, string> { ["shard"] = "4", ["os"] = "a", ["extra"] = "x" }, Assert.Single(matrix.Include));
        Assert.Equal(new Dictionary<string, string> { ["shard"] = "1", ["os"] = "b" }, Assert.Single(matrix.Exclude));
        var when = job.When!;
        Assert.Equal(["main", "release/*"], when.Branches);
        Assert.Equal(["v*"], when.Tags);
        Assert.Equal(["push", "tag"], when.Events);
        Assert.Equal(["src/**"], when.Changes);
    }

    [Fact]
    public void When_leaves_conditions_not_given_null()
    {
        var when = Parse("jobs:\n  a: { when: { events: manual }, steps: [x] }\n").Jobs[0].When!;

        Assert.Null(when.Branches);
        Assert.Null(when.Tags);
        Assert.Null(when.Changes);
        Assert.Equal(["manual"], when.Events);
    }

    [Fact]
    public void No_on_key_gives_the_default_triggers()
    {
        var on = Parse("jobs:\n  a: { steps: [x] }\n").On;

        Assert.Same(TriggerSettings.Default, on);
        Assert.Equal([], on.PushBranches!);
        Assert.Null(on.PullRequestBranches);
        Assert.Null(on.Tags);
        Assert.Empty(on.Schedules);
        Assert.True(on.Manual);
        Assert.True(on.Api);
    }

    [Fact]
    public void Reads_the_mapping_form_of_on()
    {
        var on = Parse("""
            on:
              push: { branches: [main, "release/*"] }
              pull_request: { branches: main }
              tag: { tags: ["v*"] }
              schedule: ["0 3 * * *", "*/15 9-17 * * MON-FRI", "@weekly"]
              manual: {}
              api: true
            jobs:
              a: { steps: [x] }
            """).On;

        Assert.Equal(["main", "release/*"], on.PushBranches!);
        Assert.Equal(["main"], on.PullRequestBranches!);
        Assert.Equal(["v*"], on.Tags!);
        Assert.Equal(["0 3 * * *", "*/15 9-17 * * MON-FRI", "0 0 * * 0"], on.Schedules);
        Assert.True(on.Manual);
        Assert.True(on.Api);
    }

    [Theory]
    [InlineData("push:", true)]
    [InlineData("push: {}", true)]
    [InlineData("push: true", true)]
    [InlineData("push: false", false)]
    public void Push_without_branches_means_every_branch(string line, bool enabled)
    {
        var on = Parse($"on:\n  {line}\n  manual: false\njobs:\n  a: {{ steps: [x] }}\n").On;

        Assert.Equal(enabled, on.PushBranches is { Count: 0 });
        Assert.Equal(enabled, on.PushBranches is not null);
        Assert.False(on.Manual);
        Assert.False(on.Api);
        Assert.Null(on.PullRequestBranches);
    }

    [Fact]
    public void Reads_the_list_form_of_on()
    {
        var on = Parse("on: [push, manual, tag]\njobs:\n  a: { steps: [x] }\n").On;

        Assert.Equal([], on.PushBranches!);
        Assert.Equal([], on.Tags!);
        Assert.Null(on.PullRequestBranches);
        Assert.True(on.Manual);
        Assert.False(on.Api);

        var single = Parse("on: api\njobs:\n  a: { steps: [x] }\n").On;
        Assert.True(single.Api);
        Assert.Null(single.PushBranches);
        Assert.False(single.Manual);
    }

    [Fact]
    public void Reads_inputs()
    {
        var inputs = Parse("""
            inputs:
              target: { default: all, description: what to build, options: [all, lib, app] }
              level:
                required: true
              _x-1:
            jobs:
              a: { steps: [x] }
            """).Inputs;

        Assert.Equal(["target", "level", "_x-1"], inputs.Select(i => i.Name));
        Assert.Equal("all", inputs[0].Default);
        Assert.Equal("what to build", inputs[0].Description);
        Assert.Equal(["all", "lib", "app"], inputs[0].Options!);
        Assert.False(inputs[0].Required);
        Assert.Equal(new SourceLocation(2, 3), inputs[0].Location);
        Assert.True(inputs[1].Required);
        Assert.Null(inputs[1].Default);
        Assert.Null(inputs[1].Options);
        Assert.Null(inputs[2].Description);
    }

    [Fact]
    public void No_inputs_is_an_empty_list() =>
        Assert.Empty(Parse("jobs:\n  a: { steps: [x] }\n").Inputs);
}
