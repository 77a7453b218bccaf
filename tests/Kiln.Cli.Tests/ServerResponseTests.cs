using System.Text.Json;

namespace Kiln.Cli.Tests;

/// <summary>How the CLI turns what a server answers (or that none answers) into output and DESIGN.md's exit codes.</summary>
public sealed class ServerResponseTests : IAsyncLifetime
{
    private FakeServer server = null!;

    public async Task InitializeAsync() => server = await FakeServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task A_missing_project_exits_4_and_prints_the_servers_detail()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "show", "ghost");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("kiln: There is no project named 'ghost'." + Environment.NewLine, result.Error);
        Assert.Equal("", result.Out);
        Assert.Equal(["GET /api/v1/projects/ghost"], server.Requests);
    }

    [Fact]
    public async Task A_404_without_problem_json_exits_4_with_the_status_line()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "status", "nowhere#3");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("404 Not Found", result.Error, StringComparison.Ordinal);
        Assert.Equal(["GET /api/v1/projects/nowhere/builds/3"], server.Requests);
    }

    [Fact]
    public async Task An_invalid_pipeline_exits_2_and_prints_every_error_on_its_own_line()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "build", "app");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var lines = result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("kiln: The pipeline of 'app' has 2 errors.", lines[0]);
        Assert.Equal(FakeServer.PipelineErrors.Select(e => "  " + e), lines[1..]);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_refused_token_exits_3_and_says_so()
    {
        var result = await Cli.RunAsync(server.Url, "wrong", "project", "show", "ghost");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("refused the token", result.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task No_token_at_all_is_refused_too()
    {
        var result = await Cli.RunAsync(server.Url, null, "build", "ok");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("refused the token", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queued_build_prints_its_reference_and_sends_ref_and_inputs()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "build", "ok", "--ref", "dev", "--input", "TARGET=a=b", "--input", "mode=");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("ok#7" + Environment.NewLine, result.Out);
        Assert.Contains("Build ok#7 queued (refs/heads/dev @ 0123456789ab)", result.Error, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.StartsWith("POST /api/v1/projects/ok/builds ", request, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request["POST /api/v1/projects/ok/builds ".Length..]);
        Assert.Equal("dev", body.RootElement.GetProperty("ref").GetString());
        var inputs = body.RootElement.GetProperty("inputs");
        Assert.Equal("a=b", inputs.GetProperty("TARGET").GetString());
        Assert.Equal("", inputs.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Json_output_is_the_apis_json()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "build", "ok", "--json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("ok", json.RootElement.GetProperty("project").GetString());
        Assert.Equal(7, json.RootElement.GetProperty("number").GetInt32());
    }

    [Fact]
    public async Task Project_show_prints_the_project()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "show", "app");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("/srv/git/app", result.Console, StringComparison.Ordinal);
        Assert.Contains("trunk", result.Console, StringComparison.Ordinal);
        Assert.Matches(@"Cooldown\s+90 s", result.Console);
        Assert.Matches(@"Max running builds\s+2\s", result.Console);
        Assert.Matches(@"Weight\s+3\s", result.Console);
        Assert.Matches(@"Last build\s+none", result.Console);
    }

    [Fact]
    public async Task Project_update_patches_only_the_flags_given_and_none_sends_null()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "update", "app", "--max-running-builds", "none", "--weight", "7");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PATCH /api/v1/projects/app {\"maxRunningBuilds\":null,\"weight\":7}", request);
        Assert.Contains("Updated project", result.Console, StringComparison.Ordinal);
        Assert.Matches(@"Max running builds\s+no limit", result.Console);
    }

    [Fact]
    public async Task Project_update_sends_every_flag_under_its_api_name()
    {
        var result = await Cli.RunAsync(server.Url, FakeServer.Token, "project", "update", "app",
            "--cooldown-seconds", "45", "--max-running-builds", "3", "--weight", "2", "--default-branch", "dev", "--json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var request = Assert.Single(server.Requests);
        using var body = JsonDocument.Parse(request["PATCH /api/v1/projects/app ".Length..]);
        Assert.Equal(45, body.RootElement.GetProperty("cooldownSeconds").GetInt32());
        Assert.Equal(3, body.RootElement.GetProperty("maxRunningBuilds").GetInt32());
        Assert.Equal(2, body.RootElement.GetProperty("weight").GetInt32());
        Assert.Equal("dev", body.RootElement.GetProperty("defaultBranch").GetString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(7, json.RootElement.GetProperty("weight").GetInt32());
    }
}
