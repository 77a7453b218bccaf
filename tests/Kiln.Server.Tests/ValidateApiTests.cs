using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using static Kiln.Server.Tests.KilnTestServer;

namespace Kiln.Server.Tests;

/// <summary><c>POST /api/v1/validate</c> answers warnings beside the errors; a warning alone leaves the pipeline valid.</summary>
public sealed class ValidateApiTests
{
    [Fact]
    public async Task A_command_cut_by_a_comment_is_a_warning_in_a_valid_answer()
    {
        await using var server = await StartAsync();
        var yaml = "jobs:\n  build:\n    steps:\n      - run: echo 'build #1 of many'\n";

        using var response = await server.Admin.PostAsJsonAsync("api/v1/validate", new ValidateRequest(yaml, "ci.yml"), KilnJsonContext.Default.ValidateRequest);

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"warnings\":[{\"file\":\"ci.yml\",\"line\":4,\"column\":26,", body, StringComparison.Ordinal);
        var result = (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.ValidateResponse))!;
        Assert.True(result.Valid);
        Assert.Empty(result.Errors);
        Assert.Equal(["build"], result.Jobs);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("jobs.build.steps[0].run", warning.Key);
        Assert.Contains("unclosed single quote", warning.Message, StringComparison.Ordinal);
        Assert.Equal("quote the whole value, or write it as a block scalar after 'run: |'", warning.Hint);
    }

    [Fact]
    public async Task A_pipeline_without_warnings_answers_an_empty_list()
    {
        await using var server = await StartAsync();

        using var response = await server.Admin.PostAsJsonAsync("api/v1/validate", new ValidateRequest(TwoJobPipeline, null), KilnJsonContext.Default.ValidateRequest);

        response.EnsureSuccessStatusCode();
        Assert.Contains("\"warnings\":[]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
