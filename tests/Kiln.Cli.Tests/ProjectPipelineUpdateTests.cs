using System.Text.Json;

namespace Kiln.Cli.Tests;

/// <summary><c>kiln project update NAME --pipeline FILE</c>: the file's text goes in the merge patch as
/// <c>pipeline</c>, and the server's refusal or a missing file exits 2.</summary>
public sealed class ProjectPipelineUpdateTests : IAsyncLifetime
{
    private const string Yaml = "jobs:\n  deploy:\n    steps:\n      - run: echo \"deploying\"\n";

    private readonly string folder = Directory.CreateTempSubdirectory("kiln-cli-tests-").FullName;
    private FakeServer server = null!;

    public async Task InitializeAsync() => server = await FakeServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_files_text_is_sent_as_pipeline_with_the_other_flags()
    {
        var file = await WriteAsync("tasks.yml", Yaml);

        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "update", "app", "--pipeline", file, "--weight", "7");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.StartsWith("PATCH /api/v1/projects/app ", request, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request["PATCH /api/v1/projects/app ".Length..]);
        Assert.Equal(Yaml, body.RootElement.GetProperty("pipeline").GetString());
        Assert.Equal(7, body.RootElement.GetProperty("weight").GetInt32());
        Assert.Contains("Updated project", result.Console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pipeline_the_server_refuses_exits_2_and_prints_every_error()
    {
        var file = await WriteAsync("tasks.yml", Yaml);

        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "update", "invalid", "--pipeline", file);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var lines = result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("kiln: The pipeline is not valid.", lines[0]);
        Assert.Equal(FakeServer.PipelineErrors.Select(e => "  " + e), lines[1..]);
    }

    [Fact]
    public async Task A_pipeline_file_that_does_not_exist_exits_2_naming_it_and_sends_nothing()
    {
        var missing = Path.Combine(folder, "nope.yml");

        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "update", "app", "--pipeline", missing);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"the pipeline file '{missing}' does not exist", result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Nothing_to_change_names_pipeline_among_the_flags()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "update", "app");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--pipeline", result.Error, StringComparison.Ordinal);
    }

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = Path.Combine(folder, name);
        await File.WriteAllTextAsync(path, text);
        return path;
    }
}
