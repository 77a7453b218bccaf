using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.EndToEnd.Tests.Harness;

namespace Kiln.EndToEnd.Tests;

/// <summary>One server for all scenario files; each scenario gets its own repository and project.</summary>
public sealed class ScenarioServer : IAsyncLifetime
{
    public KilnServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await KilnServerProcess.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class ScenarioTests(ScenarioServer fixture) : IClassFixture<ScenarioServer>
{
    public static IEnumerable<object[]> Names => Scenario.All();

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Scenario_runs_as_expected(string name)
    {
        var scenario = Scenario.Load(Path.Combine(AppContext.BaseDirectory, "Scenarios", name + ".yml"));
        using var repo = await GitRepo.CreateAsync();
        repo.WriteFile(".kiln.yml", scenario.Pipeline);
        foreach (var (path, text) in scenario.Files)
        {
            repo.WriteFile(path, text);
        }

        await repo.CommitAsync("scenario " + name);
        var api = fixture.Server.Api;
        await api.CreateRepoProjectAsync(name, repo.Path);

        using var response = await api.Http.PostAsJsonAsync(
            $"/api/v1/projects/{name}/builds?wait=true",
            new CreateBuildRequest(scenario.Ref, scenario.Inputs, scenario.Event),
            KilnJsonContext.Default.CreateBuildRequest);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode} {body}\n{fixture.Server.Output}");
        var build = System.Text.Json.JsonSerializer.Deserialize(body, KilnJsonContext.Default.BuildResource)!;

        var expect = scenario.Expect;
        Assert.Equal(
            expect.Jobs.OrderBy(j => j.Key, StringComparer.Ordinal).ToList(),
            build.Jobs.Select(j => KeyValuePair.Create(j.Name, j.Status)).OrderBy(j => j.Key, StringComparer.Ordinal).ToList());
        Assert.Equal(expect.Build, build.Status);
        foreach (var (path, status) in expect.Steps)
        {
            var (job, step) = (path[..path.IndexOf('/', StringComparison.Ordinal)], path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            var actual = build.Jobs.Single(j => j.Name == job).Steps.Single(s => s.Name == step).Status;
            Assert.True(status == actual, $"{name}: step {path} is {actual}, expected {status}");
        }

        foreach (var (job, lines) in expect.Log)
        {
            var log = await api.GetLogLinesAsync(name, build.Number, job);
            foreach (var line in lines)
            {
                Assert.True(log.Contains(line), $"{name}: the log of '{job}' lacks the line '{line}':\n{string.Join('\n', log)}");
            }
        }

        foreach (var (job, texts) in expect.LogAbsent)
        {
            var log = await api.GetLogAsync(name, build.Number, job);
            foreach (var text in texts)
            {
                Assert.DoesNotContain(text, log, StringComparison.Ordinal);
            }
        }
    }
}
