using System.Collections.Concurrent;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kiln.Cli.Tests;

/// <summary>A tiny real HTTP server that answers a few API routes the way Kiln's server does.
/// Every request needs <c>Authorization: Bearer t</c>, else 401.</summary>
internal sealed class FakeServer : IAsyncDisposable
{
    public const string Token = "t";

    public static readonly string[] PipelineErrors =
    [
        ".kiln.yml:3:5: unknown key 'stpes' in job 'build'; did you mean 'steps'?",
        ".kiln.yml:9:12: job 'test' needs 'biuld', which is not a job",
    ];

    private readonly WebApplication app;

    private FakeServer(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>"METHOD path body" of every request that reached a route.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<FakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeServer? self = null;

        app.Use(async (http, next) =>
        {
            if (http.Request.Headers.Authorization != "Bearer " + Token)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            using var reader = new StreamReader(http.Request.Body);
            self!.Requests.Enqueue($"{http.Request.Method} {http.Request.Path} {await reader.ReadToEndAsync(http.RequestAborted)}".TrimEnd());
            await next(http);
        });

        app.MapGet("/api/v1/projects/ghost", () => Results.Text(
            """{"title":"Not found","detail":"There is no project named 'ghost'.","status":404}""",
            "application/problem+json", statusCode: StatusCodes.Status404NotFound));

        app.MapGet("/api/v1/projects/app", () => Results.Text(
            JsonSerializer.Serialize(new ProjectResource("app", "/srv/git/app", "trunk", null, DateTimeOffset.UnixEpoch, 90, 2, 3), KilnJsonContext.Default.ProjectResource),
            "application/json"));

        app.MapPatch("/api/v1/projects/app", () => Results.Text(
            JsonSerializer.Serialize(new ProjectResource("app", "/srv/git/app", "trunk", null, DateTimeOffset.UnixEpoch, 0, null, 7), KilnJsonContext.Default.ProjectResource),
            "application/json"));

        app.MapPatch("/api/v1/projects/invalid", () => Results.Text(
            JsonSerializer.Serialize(new ProblemResource(null, "Invalid request", 422, "The pipeline is not valid.", PipelineErrors), KilnJsonContext.Default.ProblemResource),
            "application/problem+json", statusCode: StatusCodes.Status422UnprocessableEntity));

        app.MapPost("/api/v1/projects/app/builds", () => Results.Text(
            JsonSerializer.Serialize(
                new ProblemResource(null, "Invalid pipeline", 422, "The pipeline of 'app' has 2 errors.", PipelineErrors),
                KilnJsonContext.Default.ProblemResource),
            "application/problem+json", statusCode: StatusCodes.Status422UnprocessableEntity));

        app.MapPost("/api/v1/projects/ok/builds", () => Results.Text(
            JsonSerializer.Serialize(
                new BuildResource(41, "ok", 7, "queued", "api", "refs/heads/dev", "dev", null, "0123456789abcdef0123", "admin",
                    DateTimeOffset.UnixEpoch, null, null, null, new Dictionary<string, string>(), []),
                KilnJsonContext.Default.BuildResource),
            "application/json", statusCode: StatusCodes.Status201Created));

        await app.StartAsync();
        self = new FakeServer(app, new Uri(app.Urls.Single() + "/"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
