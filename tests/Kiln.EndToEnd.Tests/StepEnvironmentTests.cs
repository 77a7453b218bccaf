using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>Every step sees the KILN_* variables of DESIGN.md and runs in a checkout of the commit.</summary>
public sealed class StepEnvironmentTests
{
    private const string App = RepoScenario.Project;
    private const string Job = "show-env";

    [Fact]
    public async Task Step_sees_the_documented_kiln_variables()
    {
        var fixture = "fixture-" + Guid.NewGuid().ToString("N");
        await using var s = await RepoScenario.StartAsync(
            EnvPipeline(), files: new Dictionary<string, string> { ["fixture.txt"] = fixture + "\n" });

        var build = await s.Api.TriggerBuildAsync(App, "main", wait: true);
        Assert.True(build.Status == "succeeded", $"build {build.Status}: {build.Error}\n{Expect.ServerTail(s.Server)}");
        var job = Assert.Single(build.Jobs);
        var lines = await s.Api.GetLogLinesAsync(App, 1, Job);
        var env = lines
            .Where(l => l.StartsWith("KILN=", StringComparison.Ordinal) || l.StartsWith("KILN_", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);

        Assert.Equal("true", Var(env, "KILN"));
        Assert.Equal(App, Var(env, "KILN_PROJECT"));
        Assert.Equal("1", Var(env, "KILN_BUILD_NUMBER"));
        Assert.Equal(build.Id.ToString(), Var(env, "KILN_BUILD_ID"));
        Assert.Equal(Job, Var(env, "KILN_JOB"));
        Assert.Equal(job.Id.ToString(), Var(env, "KILN_JOB_ID"));
        Assert.Equal(build.Event, Var(env, "KILN_EVENT"));
        Assert.Contains(build.Event, new[] { "api", "manual" });
        Assert.Equal(build.Ref, Var(env, "KILN_REF"));
        Assert.Contains(Var(env, "KILN_REF"), new[] { "main", "refs/heads/main" });
        Assert.Equal("main", Var(env, "KILN_BRANCH"));
        Assert.Equal("", Var(env, "KILN_TAG"));
        Assert.Equal(s.Commit, Var(env, "KILN_COMMIT"));
        Assert.Equal(build.TriggeredBy, Var(env, "KILN_TRIGGERED_BY"));
        Assert.NotEmpty(Var(env, "KILN_TRIGGERED_BY"));
        Assert.Equal(s.Server.Url, Var(env, "KILN_SERVER_URL").TrimEnd('/'));
        Assert.NotEmpty(Var(env, "KILN_ARTIFACTS_DIR"));

        Assert.NotEmpty(Var(env, "KILN_WORKSPACE"));
        var realWorkspace = Assert.Single(lines, l => l.StartsWith("WORKSPACE=", StringComparison.Ordinal))["WORKSPACE=".Length..];
        Assert.Contains("PWD=" + realWorkspace, lines);
        Assert.Contains(fixture, lines);
    }

    private static string Var(IReadOnlyDictionary<string, string> env, string name) =>
        env.TryGetValue(name, out var value)
            ? value
            : throw new Xunit.Sdk.XunitException($"{name} is not set; the step saw: {string.Join(", ", env.Keys.Order(StringComparer.Ordinal))}");

    private static string EnvPipeline() => $$"""
        jobs:
          {{Job}}:
            steps:
              - name: print
                run: |
                  env | grep -E '^KILN(_[A-Z_]+)?=' | sort
                  echo "PWD=$(pwd -P)"
                  echo "WORKSPACE=$(cd "$KILN_WORKSPACE" && pwd -P)"
                  cat fixture.txt
        """;
}
