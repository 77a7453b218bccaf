using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

public sealed class PipelinePlannerTests
{
    private static PipelineDefinition Parse(string yaml)
    {
        var result = PipelineParser.Parse(yaml);
        Assert.True(result.Success, string.Join("\n", result.Errors));
        return result.Pipeline!;
    }

    [Fact]
    public void Orders_jobs_after_their_needs_and_by_file_order_among_ready_jobs()
    {
        var pipeline = Parse("""
            jobs:
              deploy: { needs: [test, lint], steps: [d] }
              test: { needs: [build], steps: [t] }
              lint: { steps: [l] }
              build: { steps: [b] }
              docs: { steps: [o] }
              package: { needs: [build], steps: [p] }
            """);

        var plan = PipelinePlanner.Plan(pipeline);

        // Each pick is the first job in file order whose needs are all placed.
        Assert.Equal(["lint", "build", "test", "deploy", "docs", "package"], plan.Select(j => j.Name));
    }

    [Fact]
    public void Independent_jobs_keep_file_order()
    {
        var plan = PipelinePlanner.Plan(Parse("jobs:\n  c: { steps: [x] }\n  a: { steps: [x] }\n  b: { steps: [x] }\n"));

        Assert.Equal(["c", "a", "b"], plan.Select(j => j.Name));
    }

    [Fact]
    public void Overlays_environments_and_keeps_timeouts()
    {
        var pipeline = Parse("""
            env: { A: pipeline, B: pipeline, C: pipeline }
            jobs:
              a:
                needs: []
                env: { B: job, D: job }
                timeout: 1h
                steps:
                  - run: make
                    name: compile
                    env: { C: step }
                    timeout: 90s
                  - test
            """);

        var job = Assert.Single(PipelinePlanner.Plan(pipeline));

        Assert.Equal(new Dictionary<string, string> { ["A"] = "pipeline", ["B"] = "job", ["C"] = "pipeline", ["D"] = "job" }, job.Env);
        Assert.Equal(TimeSpan.FromHours(1), job.Timeout);
        Assert.Empty(job.Needs);
        Assert.Equal("compile", job.Steps[0].Name);
        Assert.Equal("make", job.Steps[0].Run);
        Assert.Equal(TimeSpan.FromSeconds(90), job.Steps[0].Timeout);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "pipeline", ["B"] = "job", ["C"] = "step", ["D"] = "job" }, job.Steps[0].Env);
        Assert.Equal(job.Env, job.Steps[1].Env);
        Assert.Null(job.Steps[1].Timeout);
    }

    [Fact]
    public void Keeps_needs_of_each_job()
    {
        var plan = PipelinePlanner.Plan(Parse("jobs:\n  a: { steps: [x] }\n  b: { steps: [x] }\n  c: { needs: [b, a], steps: [x] }\n"));

        Assert.Equal(["b", "a"], plan[2].Needs);
    }

    [Fact]
    public void Refuses_a_cycle_or_an_unknown_need()
    {
        var cycle = Definitions.Pipeline(Definitions.Job("a", "b"), Definitions.Job("b", "a"));
        var unknown = Definitions.Pipeline(Definitions.Job("a", "zz"));

        Assert.Contains("cycle", Assert.Throws<ArgumentException>(() => PipelinePlanner.Plan(cycle)).Message, StringComparison.Ordinal);
        Assert.Contains("'zz'", Assert.Throws<ArgumentException>(() => PipelinePlanner.Plan(unknown)).Message, StringComparison.Ordinal);
    }
}
