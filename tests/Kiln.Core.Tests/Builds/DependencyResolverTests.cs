using Kiln.Core.Builds;

namespace Kiln.Core.Tests.Builds;

public sealed class DependencyResolverTests
{
    private static JobNode Job(string name, JobStatus status, params string[] needs) => new(name, needs, status);

    [Fact]
    public void Queues_a_waiting_job_whose_needs_all_succeeded()
    {
        var changes = DependencyResolver.Resolve(
        [
            Job("build", JobStatus.Succeeded),
            Job("lint", JobStatus.Succeeded),
            Job("test", JobStatus.Waiting, "build", "lint"),
            Job("root", JobStatus.Waiting),
        ]);

        Assert.Equal([("test", JobStatus.Queued), ("root", JobStatus.Queued)], changes);
    }

    [Fact]
    public void Leaves_a_job_waiting_while_a_need_runs()
    {
        var changes = DependencyResolver.Resolve(
        [
            Job("build", JobStatus.Succeeded),
            Job("lint", JobStatus.Running),
            Job("test", JobStatus.Waiting, "build", "lint"),
        ]);

        Assert.Empty(changes);
    }

    [Theory]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Canceled)]
    [InlineData(JobStatus.TimedOut)]
    [InlineData(JobStatus.Lost)]
    [InlineData(JobStatus.Skipped)]
    [InlineData(JobStatus.Error)]
    public void Skips_a_job_when_a_need_ended_without_success(JobStatus need)
    {
        var changes = DependencyResolver.Resolve(
        [
            Job("build", need),
            Job("other", JobStatus.Running),
            Job("test", JobStatus.Waiting, "other", "build"),
        ]);

        Assert.Equal([("test", JobStatus.Skipped)], changes);
    }

    [Fact]
    public void Skips_cascade_in_one_call_whatever_the_order()
    {
        var changes = DependencyResolver.Resolve(
        [
            Job("deploy", JobStatus.Waiting, "package"),
            Job("package", JobStatus.Waiting, "test"),
            Job("test", JobStatus.Waiting, "build"),
            Job("build", JobStatus.Failed),
            Job("docs", JobStatus.Waiting),
            Job("notify", JobStatus.Waiting, "docs"),
        ]);

        Assert.Equal(
            [("deploy", JobStatus.Skipped), ("package", JobStatus.Skipped), ("test", JobStatus.Skipped), ("docs", JobStatus.Queued)],
            changes);
    }

    [Fact]
    public void Does_not_touch_jobs_that_are_not_waiting()
    {
        var changes = DependencyResolver.Resolve(
        [
            Job("build", JobStatus.Failed),
            Job("manual", JobStatus.Manual, "build"),
            Job("queued", JobStatus.Queued, "build"),
        ]);

        Assert.Empty(changes);
    }

    [Fact]
    public void A_need_that_names_no_job_skips_rather_than_waiting_forever() =>
        Assert.Equal([("a", JobStatus.Skipped)], DependencyResolver.Resolve([Job("a", JobStatus.Waiting, "ghost")]));

    [Fact]
    public void Applying_the_changes_reaches_a_fixed_point()
    {
        JobNode[] jobs =
        [
            Job("a", JobStatus.Canceled),
            Job("b", JobStatus.Waiting, "a"),
            Job("c", JobStatus.Waiting, "b"),
            Job("d", JobStatus.Succeeded),
            Job("e", JobStatus.Waiting, "d"),
        ];

        var changes = DependencyResolver.Resolve(jobs).ToDictionary(c => c.Name, c => c.NewStatus);
        var after = jobs.Select(j => j with { Status = changes.GetValueOrDefault(j.Name, j.Status) }).ToArray();

        Assert.Empty(DependencyResolver.Resolve(after));
    }
}
