using System.Text.Json;
using Kiln.Contracts.AgentProtocol;
using Kiln.Contracts.Api;

namespace Kiln.Contracts.Tests;

/// <summary>The wire shapes DESIGN.md fixes: camelCase names, nulls kept, dictionary keys untouched,
/// and every value surviving a round trip through <see cref="KilnJsonContext"/>.</summary>
public sealed class JsonShapeTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Build_has_the_field_names_design_md_lists()
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(SampleBuild(), KilnJsonContext.Default.BuildResource));
        var build = json.RootElement;

        AssertHasProperties(build, "id", "project", "number", "status", "event", "ref", "branch", "commit", "triggeredBy",
            "createdAt", "startedAt", "finishedAt", "jobs");
        Assert.Equal(JsonValueKind.Array, build.GetProperty("jobs").ValueKind);
        var job = build.GetProperty("jobs")[1];
        AssertHasProperties(job, "id", "name", "status", "matrix", "needs", "agent", "queuedAt", "startedAt", "finishedAt", "steps");
        var step = job.GetProperty("steps")[0];
        AssertHasProperties(step, "name", "status", "exitCode", "startedAt", "finishedAt");
    }

    [Fact]
    public void Build_values_are_written_as_clients_read_them()
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(SampleBuild(), KilnJsonContext.Default.BuildResource));
        var build = json.RootElement;

        Assert.Equal(42, build.GetProperty("id").GetInt64());
        Assert.Equal("app", build.GetProperty("project").GetString());
        Assert.Equal(12, build.GetProperty("number").GetInt32());
        Assert.Equal("running", build.GetProperty("status").GetString());
        Assert.Equal("push", build.GetProperty("event").GetString());
        Assert.Equal("refs/heads/main", build.GetProperty("ref").GetString());
        Assert.Equal("main", build.GetProperty("branch").GetString());
        Assert.Equal("alice", build.GetProperty("triggeredBy").GetString());
        Assert.Equal(Created, build.GetProperty("createdAt").GetDateTimeOffset());
        // Nulls are kept so the shape is the same whatever the state.
        Assert.Equal(JsonValueKind.Null, build.GetProperty("finishedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, build.GetProperty("tag").ValueKind);

        var test = build.GetProperty("jobs")[1];
        Assert.Equal("test (shard: 2)", test.GetProperty("name").GetString());
        Assert.Equal(["build"], test.GetProperty("needs").EnumerateArray().Select(n => n.GetString()));
        // Matrix axes and inputs are user names: the naming policy must not touch them.
        Assert.Equal("2", test.GetProperty("matrix").GetProperty("Shard").GetString());
        Assert.Equal("x86_64", test.GetProperty("matrix").GetProperty("TARGET_ARCH").GetString());
        Assert.Equal("all", build.GetProperty("inputs").GetProperty("Target").GetString());
        Assert.Equal(JsonValueKind.Null, test.GetProperty("agent").ValueKind);

        var step = build.GetProperty("jobs")[0].GetProperty("steps")[0];
        Assert.Equal("compile", step.GetProperty("name").GetString());
        Assert.Equal("failed", step.GetProperty("status").GetString());
        Assert.Equal(2, step.GetProperty("exitCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, build.GetProperty("jobs")[1].GetProperty("steps")[0].GetProperty("exitCode").ValueKind);
    }

    [Fact]
    public void Build_round_trips()
    {
        var original = SampleBuild();

        var json = JsonSerializer.Serialize(original, KilnJsonContext.Default.BuildResource);
        var back = JsonSerializer.Deserialize(json, KilnJsonContext.Default.BuildResource)!;

        Assert.Equal(original with { Inputs = back.Inputs, Jobs = back.Jobs }, back);
        Assert.Equal(original.Inputs, back.Inputs);
        Assert.Equal(original.Jobs.Count, back.Jobs.Count);
        for (var i = 0; i < original.Jobs.Count; i++)
        {
            var (o, b) = (original.Jobs[i], back.Jobs[i]);
            Assert.Equal(o with { Matrix = b.Matrix, Needs = b.Needs, Steps = b.Steps }, b);
            Assert.Equal(o.Matrix, b.Matrix);
            Assert.Equal(o.Needs, b.Needs);
            Assert.Equal(o.Steps, b.Steps);
        }

        Assert.Equal(json, JsonSerializer.Serialize(back, KilnJsonContext.Default.BuildResource));
    }

    [Fact]
    public void A_build_written_by_hand_in_camelCase_reads_back()
    {
        const string json = """
            {"id":7,"project":"p","number":3,"status":"queued","event":"api","ref":null,"branch":null,"tag":null,
             "commit":null,"triggeredBy":"bob","createdAt":"2026-11-23T10:00:00Z","startedAt":null,"finishedAt":null,
             "error":null,"inputs":{},"jobs":[{"id":9,"name":"only","status":"queued","matrix":null,"needs":[],
             "agent":null,"queuedAt":"2026-11-23T10:00:01+00:00","startedAt":null,"finishedAt":null,"logBytes":0,
             "steps":[{"name":"s","status":"pending","exitCode":null,"startedAt":null,"finishedAt":null}]}]}
            """;

        var build = JsonSerializer.Deserialize(json, KilnJsonContext.Default.BuildResource)!;

        Assert.Equal(7, build.Id);
        Assert.Equal("bob", build.TriggeredBy);
        Assert.Equal(Created, build.CreatedAt);
        var job = Assert.Single(build.Jobs);
        Assert.Equal("only", job.Name);
        Assert.Equal(Created.AddSeconds(1), job.QueuedAt);
        Assert.Equal(new StepResource("s", "pending", null, null, null), Assert.Single(job.Steps));
    }

    [Fact]
    public void Job_lease_has_camelCase_names_and_keeps_environment_names_as_they_are()
    {
        var lease = SampleLease();

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(lease, KilnJsonContext.Default.JobLease));
        var root = json.RootElement;

        AssertHasProperties(root, "jobId", "leaseToken", "leaseExpiresAt", "leaseSeconds", "project", "buildId", "buildNumber",
            "jobName", "source", "timeoutSeconds", "logCapBytes", "environment", "steps");
        AssertHasProperties(root.GetProperty("source"), "repoUrl", "commit");
        AssertHasProperties(root.GetProperty("steps")[0], "index", "name", "run", "environment", "timeoutSeconds");
        Assert.Equal("abc123", root.GetProperty("leaseToken").GetString());
        Assert.Equal("true", root.GetProperty("environment").GetProperty("KILN").GetString());
        Assert.Equal("all", root.GetProperty("environment").GetProperty("KILN_INPUT_TARGET").GetString());
        Assert.Equal("1", root.GetProperty("steps")[1].GetProperty("environment").GetProperty("Mixed_Case").GetString());
    }

    [Fact]
    public void Job_lease_round_trips()
    {
        var original = SampleLease();

        var json = JsonSerializer.Serialize(original, KilnJsonContext.Default.JobLease);
        var back = JsonSerializer.Deserialize(json, KilnJsonContext.Default.JobLease)!;

        Assert.Equal(original with { Environment = back.Environment, Steps = back.Steps }, back);
        Assert.Equal(original.Environment, back.Environment);
        Assert.Equal(original.Steps.Count, back.Steps.Count);
        for (var i = 0; i < original.Steps.Count; i++)
        {
            Assert.Equal(original.Steps[i] with { Environment = back.Steps[i].Environment }, back.Steps[i]);
            Assert.Equal(original.Steps[i].Environment, back.Steps[i].Environment);
        }

        Assert.Equal(json, JsonSerializer.Serialize(back, KilnJsonContext.Default.JobLease));
    }

    [Fact]
    public void A_task_only_lease_has_a_null_source()
    {
        var lease = SampleLease() with { Source = null, TimeoutSeconds = null };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(lease, KilnJsonContext.Default.JobLease));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("source").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("timeoutSeconds").ValueKind);
        Assert.Null(JsonSerializer.Deserialize(json.RootElement, KilnJsonContext.Default.JobLease)!.Source);
    }

    [Fact]
    public void Problem_details_with_errors_read_back()
    {
        const string json = """{"type":null,"title":"Invalid pipeline","status":422,"detail":"2 errors","errors":[".kiln.yml:3:5: a",".kiln.yml:4:1: b"],"traceId":"x"}""";

        var problem = JsonSerializer.Deserialize(json, KilnJsonContext.Default.ProblemResource)!;

        Assert.Equal("Invalid pipeline", problem.Title);
        Assert.Equal(422, problem.Status);
        Assert.Equal("2 errors", problem.Detail);
        Assert.Equal([".kiln.yml:3:5: a", ".kiln.yml:4:1: b"], problem.Errors);
    }

    private static void AssertHasProperties(JsonElement element, params string[] names)
    {
        var present = element.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(names, name => Assert.True(present.Contains(name), $"'{name}' missing; present: {string.Join(", ", present)}"));
    }

    private static BuildResource SampleBuild() => new(
        Id: 42,
        Project: "app",
        Number: 12,
        Status: "running",
        Event: "push",
        Ref: "refs/heads/main",
        Branch: "main",
        Tag: null,
        Commit: "9fceb02d0ae598e95dc970b74767f19372d61af8",
        TriggeredBy: "alice",
        CreatedAt: Created,
        StartedAt: Created.AddSeconds(2),
        FinishedAt: null,
        Error: null,
        Inputs: new Dictionary<string, string> { ["Target"] = "all" },
        Jobs:
        [
            new JobResource(100, "build", "failed", null, [], "agent-1", Created, Created.AddSeconds(2), Created.AddSeconds(9), 1234,
                [new StepResource("compile", "failed", 2, Created.AddSeconds(3), Created.AddSeconds(9))]),
            new JobResource(101, "test (shard: 2)", "skipped", new Dictionary<string, string> { ["Shard"] = "2", ["TARGET_ARCH"] = "x86_64" },
                ["build"], null, null, null, Created.AddSeconds(9), 0,
                [new StepResource("run tests", "skipped", null, null, new DateTimeOffset(2026, 11, 23, 11, 0, 9, TimeSpan.FromHours(1)))]),
        ]);

    private static JobLease SampleLease() => new(
        JobId: 100,
        LeaseToken: "abc123",
        LeaseExpiresAt: Created.AddMinutes(1),
        LeaseSeconds: 60,
        Project: "app",
        BuildId: 42,
        BuildNumber: 12,
        JobName: "build",
        Source: new JobSource("/srv/git/app", "9fceb02d0ae598e95dc970b74767f19372d61af8"),
        TimeoutSeconds: 1200,
        LogCapBytes: 100 * 1024 * 1024,
        Environment: new Dictionary<string, string> { ["KILN"] = "true", ["KILN_INPUT_TARGET"] = "all" },
        Steps:
        [
            new StepSpec(0, "compile", "make", new Dictionary<string, string> { ["KILN"] = "true" }, null),
            new StepSpec(1, "pack", "./pack.sh\necho done", new Dictionary<string, string> { ["Mixed_Case"] = "1" }, 300),
        ]);
}
