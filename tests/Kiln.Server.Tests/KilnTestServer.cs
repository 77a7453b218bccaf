using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Kiln.Contracts.Api;
using Kiln.Data.Sqlite;
using Kiln.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiln.Server.Tests;

/// <summary>The real server composition (<see cref="ServerHost"/>) on a free loopback port with its own
/// data folder, prepared (migrated, admin created) and started. No agent runs beside it.</summary>
internal sealed class KilnTestServer : IAsyncDisposable
{
    /// <summary>Two jobs: <c>build</c> (queued at once) and <c>test</c>, which needs it.</summary>
    public const string TwoJobPipeline = """
        jobs:
          build:
            steps:
              - name: compile
                run: echo compiling
          test:
            needs: [build]
            steps:
              - name: unit
                run: echo unit
              - name: integration
                run: echo integration
        """;

    private readonly List<HttpClient> _clients = [];

    private KilnTestServer(WebApplication app, string dataDir, string adminToken, Uri url)
    {
        App = app;
        DataDir = dataDir;
        AdminToken = adminToken;
        Url = url;
        Admin = Client(adminToken);
    }

    public WebApplication App { get; }

    public string DataDir { get; }

    public string AdminToken { get; }

    public Uri Url { get; }

    /// <summary>A client with the admin's bearer token.</summary>
    public HttpClient Admin { get; }

    public static async Task<KilnTestServer> StartAsync(params string[] extraArgs)
    {
        var dataDir = NewDataDir();
        var app = Build(dataDir, extraArgs);
        var admin = await ServerHost.PrepareAsync(app, CancellationToken.None);
        Assert.NotNull(admin);
        await app.StartAsync();
        return new KilnTestServer(app, dataDir, admin.Token, new Uri(app.Urls.First().TrimEnd('/') + "/"));
    }

    /// <summary>Another server on a database that already has its admin (several servers on one
    /// PostgreSQL database): prepared and started like <see cref="StartAsync"/>, using <paramref name="adminToken"/>.</summary>
    public static async Task<KilnTestServer> JoinAsync(string adminToken, params string[] extraArgs)
    {
        var dataDir = NewDataDir();
        var app = Build(dataDir, extraArgs);
        Assert.Null(await ServerHost.PrepareAsync(app, CancellationToken.None));
        await app.StartAsync();
        return new KilnTestServer(app, dataDir, adminToken, new Uri(app.Urls.First().TrimEnd('/') + "/"));
    }

    /// <summary>Stops this server (its data folder stays) and starts a new one on the same data folder, as
    /// a restart does; dispose only the new one.</summary>
    public async Task<KilnTestServer> RestartAsync(params string[] extraArgs)
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await App.StopAsync();
        await App.DisposeAsync();
        var app = Build(DataDir, extraArgs);
        Assert.Null(await ServerHost.PrepareAsync(app, CancellationToken.None));
        await app.StartAsync();
        return new KilnTestServer(app, DataDir, AdminToken, new Uri(app.Urls.First().TrimEnd('/') + "/"));
    }

    public static string NewDataDir() => Path.Combine(Path.GetTempPath(), "kiln-server-tests-" + Guid.NewGuid().ToString("N"));

    public static WebApplication Build(string dataDir, params string[] extraArgs) =>
        ServerHost.Build(["--Kiln:Data=" + dataDir, "--urls=http://127.0.0.1:0", .. extraArgs], b => b.Logging.ClearProviders());

    /// <summary>A client with the given bearer token (none if null).</summary>
    public HttpClient Client(string? token)
    {
        var http = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(http);
        return http;
    }

    /// <summary>An agent identity and token, made the way <c>kiln server</c> makes its local agent's.</summary>
    public async Task<HttpClient> EnrollAgentAsync(string name = "agent-1")
    {
        using var scope = App.Services.CreateScope();
        var token = await scope.ServiceProvider.GetRequiredService<LocalAgentEnrollment>().EnrollAsync(name, 1, CancellationToken.None);
        return Client(token);
    }

    public async Task CreateTaskProjectAsync(string name, string pipeline = TwoJobPipeline)
    {
        using var response = await Admin.PostAsJsonAsync("api/v1/projects", new CreateProjectRequest(name, null, null, pipeline), KilnJsonContext.Default.CreateProjectRequest);
        await ExpectAsync(response, HttpStatusCode.Created);
    }

    public async Task<BuildResource> TriggerAsync(string project)
    {
        using var response = await Admin.PostAsJsonAsync($"api/v1/projects/{project}/builds", new CreateBuildRequest(null, null), KilnJsonContext.Default.CreateBuildRequest);
        await ExpectAsync(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
    }

    public async Task<BuildResource> GetBuildAsync(string project, int number)
    {
        using var response = await Admin.GetAsync($"api/v1/projects/{project}/builds/{number}");
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.BuildResource))!;
    }

    public async Task<JobResource> GetJobAsync(string project, int number, string job)
    {
        using var response = await Admin.GetAsync($"api/v1/projects/{project}/builds/{number}/jobs/{job}");
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.JobResource))!;
    }

    /// <summary>Leases the next job as the agent; fails if none is handed out.</summary>
    public static async Task<JobLease> LeaseAsync(HttpClient agent, int waitSeconds = 0)
    {
        using var response = await agent.PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(waitSeconds), KilnJsonContext.Default.LeaseRequest);
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.JobLease))!;
    }

    public static Task<HttpResponseMessage> AppendLogAsync(HttpClient agent, long jobId, string lease, long sequence, string text, string? times = null)
    {
        var lines = text.Count(c => c == '\n');
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/agent/jobs/{jobId}/log?sequence={sequence}&lines={lines}")
        {
            Content = new StringContent(text, System.Text.Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add(LogChunkWire.LeaseHeader, lease);
        request.Headers.Add(LogChunkWire.TimesHeader, times ?? "0:1700000000000");
        return agent.SendAsync(request);
    }

    public static Task<HttpResponseMessage> CompleteAsync(HttpClient agent, JobLease lease, string status, string? message = null) =>
        agent.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/complete", new CompleteJobRequest(lease.LeaseToken, status, message), KilnJsonContext.Default.CompleteJobRequest);

    public static Task<HttpResponseMessage> ReportStepAsync(HttpClient agent, JobLease lease, int index, string status, int? exitCode = null) =>
        agent.PostAsJsonAsync($"api/v1/agent/jobs/{lease.JobId}/steps/{index}", new StepReport(lease.LeaseToken, status, exitCode, DateTimeOffset.UnixEpoch.AddYears(56)), KilnJsonContext.Default.StepReport);

    /// <summary>Fails with the body when the status is not the expected one.</summary>
    public static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Checks an RFC 9457 answer: media type, the four fields, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        await ExpectAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = document.RootElement.Clone();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()), "problem without 'type'");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), "problem without 'title'");
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), "problem without 'detail'");
        return problem;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last: {value}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await App.StopAsync(stopping.Token);
        }

        await App.DisposeAsync();
        DeleteDataDir(DataDir);
    }

    /// <summary>Closes the pooled connections of this data folder's database, then deletes the folder. Only
    /// this database's pool: clearing all pools disposed connections that other tests' servers, running in
    /// parallel, were opening at that moment (a 500 with "Cannot access a disposed object: sqlite3").</summary>
    public static void DeleteDataDir(string dataDir)
    {
        using (var connection = new SqliteConnection(SqliteDatabase.ConnectionString(dataDir)))
        {
            SqliteConnection.ClearPool(connection);
        }

        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
