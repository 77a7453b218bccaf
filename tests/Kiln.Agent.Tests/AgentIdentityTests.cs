using System.Net.Http.Json;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Agent.Tests;

/// <summary>The remote agent's identity file and the small pieces of its start.</summary>
public sealed class AgentIdentityTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("kiln-agent-identity-").FullName;

    [Fact]
    public void The_identity_is_written_once_with_mode_0600_and_read_back_unchanged()
    {
        Assert.Null(AgentIdentity.Load(_work));
        var identity = new AgentIdentity(7, "box-1", "kiln_secret", "http://127.0.0.1:8080/");

        identity.Save(_work);

        var path = Path.Combine(_work, "agent.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(identity, AgentIdentity.Load(_work));
        Assert.Equal([path], Directory.GetFiles(_work));
    }

    [Fact]
    public void A_damaged_identity_file_is_reported_not_silently_replaced()
    {
        File.WriteAllText(Path.Combine(_work, "agent.json"), "{ not json");
        Assert.Throws<InvalidDataException>(() => AgentIdentity.Load(_work));
        File.WriteAllText(Path.Combine(_work, "agent.json"), """{"agentId":1,"name":"","token":"","server":"x"}""");
        Assert.Throws<InvalidDataException>(() => AgentIdentity.Load(_work));
    }

    [Fact]
    public async Task A_second_start_reuses_the_saved_identity_and_only_says_hello_with_the_new_labels()
    {
        var calls = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapPost("/api/v1/agent/register", () => { calls.Enqueue("register"); return Results.StatusCode(500); });
        app.MapPost("/api/v1/agent/hello", async (HttpContext http) =>
        {
            var hello = await http.Request.ReadFromJsonAsync(KilnJsonContext.Default.AgentHelloRequest);
            calls.Enqueue($"hello {http.Request.Headers.Authorization} {string.Join(",", hello!.Labels!)} {hello.Slots}");
            return Results.Json(new AgentHelloResponse(3, "saved-agent", hello.Labels!, false, 30), KilnJsonContext.Default.AgentHelloResponse);
        });
        await app.StartAsync();
        var url = new Uri(app.Urls.Single() + "/");
        var saved = new AgentIdentity(3, "saved-agent", "kiln_saved", url.ToString());
        saved.Save(_work);
        var before = File.GetLastWriteTimeUtc(AgentIdentity.PathIn(_work));
        using var http = new HttpClient(new SocketsHttpHandler(), disposeHandler: true);

        var (identity, answer) = await AgentStartup.PrepareAsync(new AgentSetup(url, "kiln_registration", "other-name", ["gpu"], 2, _work), http, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(saved, identity);
        Assert.Equal(3, answer.AgentId);
        Assert.Equal([$"hello Bearer kiln_saved gpu,{AgentHost.Os},{AgentHost.Arch} 2"], calls);
        Assert.Equal(before, File.GetLastWriteTimeUtc(AgentIdentity.PathIn(_work)));
    }

    [Fact]
    public async Task The_first_start_without_a_token_or_with_an_unreachable_server_says_what_to_do()
    {
        using var http = new HttpClient(new SocketsHttpHandler(), disposeHandler: true);
        var unreachable = new AgentSetup(new Uri("http://127.0.0.1:1/"), "kiln_x", "box", [], 1, _work);
        var e = await Assert.ThrowsAsync<AgentStartupException>(() => AgentStartup.PrepareAsync(unreachable, http, NullLogger.Instance, CancellationToken.None));
        Assert.True(e.Refused);
        Assert.Contains("cannot reach the Kiln server", e.Message, StringComparison.Ordinal);

        var notWritable = new AgentSetup(new Uri("http://127.0.0.1:1/"), "kiln_x", "box", [], 1, "/proc/kiln-cannot-write-here");
        e = await Assert.ThrowsAsync<AgentStartupException>(() => AgentStartup.PrepareAsync(notWritable, http, NullLogger.Instance, CancellationToken.None));
        Assert.False(e.Refused);
        Assert.Contains("not writable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Git_is_looked_up_on_PATH_and_log_lines_are_logfmt()
    {
        Assert.NotNull(AgentStartup.FindOnPath("git"));
        Assert.Null(AgentStartup.FindOnPath("git", "/nonexistent-dir"));

        var line = LogfmtLoggerProvider.Format(
            DateTimeOffset.UnixEpoch, LogLevel.Warning, "JobRunner", "Job 5 \"lost\"",
            [new("JobId", 5), new("{OriginalFormat}", "x")], null);
        Assert.Equal("ts=1970-01-01T00:00:00.000Z level=warn source=JobRunner msg=\"Job 5 \\\"lost\\\"\" JobId=5", line);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
