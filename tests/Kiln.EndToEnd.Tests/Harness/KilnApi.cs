using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>The REST calls the end-to-end tests make, typed with Kiln.Contracts; failures carry the response and the server's output.</summary>
public sealed class KilnApi(HttpClient http, Func<string> serverOutput)
{
    public static readonly IReadOnlySet<string> FinalBuildStatuses = new HashSet<string> { "succeeded", "failed", "canceled", "error" };

    public HttpClient Http => http;

    public async Task<ProjectResource> CreateRepoProjectAsync(string name, string repoPath, string defaultBranch = "main")
    {
        using var response = await PostProjectAsync(new CreateProjectRequest(name, repoPath, defaultBranch, null));
        return await ReadAsync(response, KilnJsonContext.Default.ProjectResource);
    }

    public async Task<ProjectResource> CreateTaskProjectAsync(string name, string pipelineYaml)
    {
        using var response = await PostProjectAsync(new CreateProjectRequest(name, null, null, pipelineYaml));
        return await ReadAsync(response, KilnJsonContext.Default.ProjectResource);
    }

    public Task<HttpResponseMessage> PostProjectAsync(CreateProjectRequest request) =>
        http.PostAsync(Relative("api/v1/projects"), JsonContent.Create(request, KilnJsonContext.Default.CreateProjectRequest));

    /// <summary>POST a build; with <paramref name="wait"/> the call returns when the build has ended.</summary>
    public async Task<BuildResource> TriggerBuildAsync(string project, string? gitRef = null, bool wait = false)
    {
        using var response = await PostBuildAsync(project, gitRef, wait);
        return await ReadAsync(response, KilnJsonContext.Default.BuildResource);
    }

    public Task<HttpResponseMessage> PostBuildAsync(string project, string? gitRef = null, bool wait = false) =>
        http.PostAsync(
            Relative($"api/v1/projects/{project}/builds{(wait ? "?wait=true" : "")}"),
            JsonContent.Create(new CreateBuildRequest(gitRef, new Dictionary<string, string>()), KilnJsonContext.Default.CreateBuildRequest));

    public async Task<BuildResource> GetBuildAsync(string project, int number)
    {
        using var response = await http.GetAsync(Relative($"api/v1/projects/{project}/builds/{number}"));
        return await ReadAsync(response, KilnJsonContext.Default.BuildResource);
    }

    /// <summary>The build numbers of a project as listed by the API (newest first).</summary>
    public async Task<IReadOnlyList<int>> ListBuildNumbersAsync(string project)
    {
        using var response = await http.GetAsync(Relative($"api/v1/projects/{project}/builds"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET builds of {project}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.EnumerateArray().Select(b => b.GetProperty("number").GetInt32()).ToList();
    }

    /// <summary>Polls the build until <paramref name="condition"/> holds; fails with the last state if it does not in time.</summary>
    public async Task<BuildResource> WaitForBuildAsync(string project, int number, Func<BuildResource, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var build = await GetBuildAsync(project, number);
            if (condition(build))
            {
                return build;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{project}#{number}: not {what} within {timeout.TotalSeconds:0} s. Last state: "
                    + $"{JsonSerializer.Serialize(build, KilnJsonContext.Default.BuildResource)}\n--- server output ---\n{serverOutput()}");
            }

            await Task.Delay(200);
        }
    }

    public Task<BuildResource> WaitForFinishedAsync(string project, int number, TimeSpan timeout) =>
        WaitForBuildAsync(project, number, b => FinalBuildStatuses.Contains(b.Status), timeout, "finished");

    /// <summary>The job's stored log as text (optionally from a byte offset).</summary>
    public async Task<string> GetLogAsync(string project, int number, string job, long? offset = null)
    {
        using var response = await http.GetAsync(LogUri(project, number, job, offset));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET log of {project}#{number}/{job}: {(int)response.StatusCode} {body}");
        return body;
    }

    public async Task<byte[]> GetLogBytesAsync(string project, int number, string job)
    {
        using var response = await http.GetAsync(LogUri(project, number, job, null));
        Assert.True(response.IsSuccessStatusCode, $"GET log of {project}#{number}/{job}: {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>The job's log split into lines (no trailing empty line).</summary>
    public async Task<IReadOnlyList<string>> GetLogLinesAsync(string project, int number, string job) =>
        SplitLines(await GetLogAsync(project, number, job));

    public static IReadOnlyList<string> SplitLines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    public static Uri Relative(string path) => new(path, UriKind.Relative);

    private static Uri LogUri(string project, int number, string job, long? offset) =>
        Relative($"api/v1/projects/{project}/builds/{number}/jobs/{job}/log{(offset is { } o ? $"?offset={o}" : "")}");

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} returned {(int)response.StatusCode}: {body}\n"
                + $"--- server output ---\n{serverOutput()}");
        }

        return JsonSerializer.Deserialize(body, type)
            ?? throw new InvalidOperationException($"Empty JSON from {response.RequestMessage?.RequestUri}");
    }
}
