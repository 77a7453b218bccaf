using System.Diagnostics;
using System.Text;
using Kiln.Core.Pipelines;

namespace Kiln.Core.Tests.Pipelines;

/// <summary>Timing tests run alone (not beside the other test classes) and take the best of several warm runs.</summary>
[CollectionDefinition(nameof(PerformanceTests), DisableParallelization = true)]
[Collection(nameof(PerformanceTests))]
public sealed class PerformanceTests
{
    /// <summary>Best of a few warm runs, so a busy machine does not fail the test by chance.</summary>
    private static TimeSpan BestOf(int runs, Action action)
    {
        action();
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }

        return best;
    }

    [Fact]
    public void Parses_and_plans_a_thousand_jobs_quickly()
    {
        var yaml = new StringBuilder("jobs:\n  test:\n    matrix: { a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], b: [0, 1, 2, 3, 4], c: [0, 1, 2, 3, 4] }\n    steps: [x]\n");
        for (var i = 0; i < 1000; i++)
        {
            yaml.Append($"  j{i}: {{ needs: [test{(i > 0 ? $", j{i - 1}" : "")}], steps: [x] }}\n");
        }

        var text = yaml.ToString();
        IReadOnlyList<PlannedJob> plan = [];
        var best = BestOf(20, () =>
        {
            var result = PipelineParser.Parse(text);
            Assert.True(result.Success, string.Join("\n", result.Errors.Take(5)));
            plan = PipelinePlanner.Plan(result.Pipeline!, new PlanContext { Event = "push", Branch = "main" });
        });

        Assert.Equal(1250, plan.Count);
        Assert.Equal(251, plan[^1].Needs.Count);
        Assert.True(best < TimeSpan.FromMilliseconds(50), $"took {best.TotalMilliseconds} ms");
    }

    [Fact]
    public void Plans_a_ten_by_ten_by_ten_matrix_and_a_thousand_jobs_that_need_it_quickly()
    {
        // 1,000 combinations is over the file's limit of 256, so this pipeline is built in code.
        string[] ten = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
        var jobs = new List<JobDefinition>
        {
            Definitions.Job("test") with { Matrix = new MatrixDefinition { Axes = [("a", ten), ("b", ten), ("c", ten)] } },
        };
        jobs.AddRange(Enumerable.Range(0, 1000).Select(i => Definitions.Job($"j{i}", "test")));
        var pipeline = Definitions.Pipeline([.. jobs]);

        IReadOnlyList<PlannedJob> plan = [];
        var best = BestOf(20, () => plan = PipelinePlanner.Plan(pipeline, new PlanContext { Event = "push" }));

        Assert.Equal(2000, plan.Count);
        Assert.Equal("test (a=9, b=9, c=9)", plan[999].Name);
        Assert.Equal(1000, plan[^1].Needs.Count);
        Assert.True(best < TimeSpan.FromMilliseconds(50), $"took {best.TotalMilliseconds} ms");
    }
}
