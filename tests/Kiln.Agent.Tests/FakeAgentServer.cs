using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Agent.Tests;

/// <summary>A step report as the server received it.</summary>
internal sealed record StepCall(long JobId, int Index, string Status, int? ExitCode, string LeaseToken);

/// <summary>One POST of a log chunk, with everything that travelled and the status answered.</summary>
internal sealed record LogAttempt(long JobId, long Sequence, int Lines, string? ContentType, string Lease, string Times, string Body, int Answer);

/// <summary>What the fake server tells a log append, decided per attempt by a test.</summary>
internal delegate Task<int> LogPolicy(LogAttempt attempt, int attemptOfThisSequence);

/// <summary>A real HTTP server (Kestrel on a free loopback port) that implements agent protocol v1 the
/// way the contract's doc comments describe it, records what the agent sends, and lets a test
/// inject failures (503, 409, a stalled log append, a cancel). Every route needs the bearer token.</summary>
internal sealed class FakeAgentServer : IAsyncDisposable
{
    public const string Token = "agent-secret";

    private readonly WebApplication _app;
    private readonly List<HttpClient> _clients = [];
    private readonly Lock _lock = new();
    private readonly List<LogAttempt> _logAttempts = [];
    private readonly Dictionary<long, SortedDictionary<long, LogAttempt>> _stored = [];
    private readonly TaskCompletionSource _cancel = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeAgentServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Handed out, one per lease call, before answering 204.</summary>
    public ConcurrentQueue<JobLease> Queued { get; } = new();

    public ConcurrentQueue<StepCall> Steps { get; } = new();

    /// <summary>The time each stored step report carried, in arrival order.</summary>
    public ConcurrentQueue<(long JobId, DateTimeOffset At)> StepTimes { get; } = new();

    /// <summary>How long each step report is held before it is answered (a slow server).</summary>
    public TimeSpan StepDelay { get; set; }

    private int _stepsReceived;

    /// <summary>Step reports whose body has been read (answered or not yet).</summary>
    public int StepsReceived => Volatile.Read(ref _stepsReceived);

    /// <summary>How many step reports had been stored when the completion arrived.</summary>
    public int CompletedAfterSteps { get; private set; } = -1;

    public ConcurrentQueue<string> Heartbeats { get; } = new();

    public ConcurrentQueue<string> UnauthorizedRequests { get; } = new();

    private int _leaseCalls;

    public int LeaseCalls => Volatile.Read(ref _leaseCalls);

    private int _watches;

    /// <summary>Watch long-polls that are waiting or have waited (past the <see cref="ReportAnswer"/> check).</summary>
    public int Watches => Volatile.Read(ref _watches);

    public TaskCompletionSource<(long JobId, CompleteJobRequest Request)> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Decides the answer to each log append; null answers 200 at once.</summary>
    public LogPolicy? LogPolicy { get; set; }

    /// <summary>The status heartbeats, step reports and completions get (200, or 409 to take the lease away).</summary>
    public int ReportAnswer { get; set; } = StatusCodes.Status200OK;

    public IReadOnlyList<LogAttempt> LogAttempts
    {
        get
        {
            lock (_lock)
            {
                return [.. _logAttempts];
            }
        }
    }

    /// <summary>Chunks stored for a job, by sequence.</summary>
    public IReadOnlyList<LogAttempt> StoredChunks(long jobId)
    {
        lock (_lock)
        {
            return _stored.TryGetValue(jobId, out var chunks) ? [.. chunks.Values] : [];
        }
    }

    /// <summary>The stored log of a job, as a viewer would read it.</summary>
    public string LogText(long jobId) => string.Concat(StoredChunks(jobId).Select(c => c.Body));

    /// <summary>A person cancels: the next (or waiting) watch and every heartbeat answer CancelRequested.</summary>
    public void RequestCancel() => _cancel.TrySetResult();

    public static async Task<FakeAgentServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var self = new FakeAgentServer(app);
        self.Map(app);
        await app.StartAsync();
        self.Url = new Uri(app.Urls.Single() + "/");
        return self;
    }

    /// <summary>A client as the agent's composition root makes it: base address and bearer token; its
    /// retries wait on <paramref name="time"/> (the system clock by default).</summary>
    public ServerClient CreateClient(string token = Token, TimeProvider? time = null)
    {
        var http = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        lock (_lock)
        {
            _clients.Add(http);
        }

        return new ServerClient(http, time ?? TimeProvider.System, NullLogger<ServerClient>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        RequestCancel();
        lock (_lock)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }

    private void Map(WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Headers.Authorization != "Bearer " + Token)
            {
                UnauthorizedRequests.Enqueue(http.Request.Path);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            await next(http);
        });

        app.MapPost("/api/v1/agent/lease", async (HttpContext http) =>
        {
            var request = await http.Request.ReadFromJsonAsync(KilnJsonContext.Default.LeaseRequest, http.RequestAborted);
            Interlocked.Increment(ref _leaseCalls);
            if (Queued.TryDequeue(out var lease))
            {
                return Results.Json(lease, KilnJsonContext.Default.JobLease);
            }

            // A long poll: hold the agent a little (never the full wait, to keep tests quick).
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200, request!.WaitSeconds * 1000)), http.RequestAborted);
            return Results.NoContent();
        });

        app.MapPost("/api/v1/agent/jobs/{jobId:long}/heartbeat", async (long jobId, HttpContext http) =>
        {
            var request = await http.Request.ReadFromJsonAsync(KilnJsonContext.Default.HeartbeatRequest, http.RequestAborted);
            Heartbeats.Enqueue(request!.LeaseToken);
            return ReportAnswer != StatusCodes.Status200OK
                ? Results.StatusCode(ReportAnswer)
                : Results.Json(new HeartbeatResponse(DateTimeOffset.UnixEpoch.AddYears(100), _cancel.Task.IsCompleted), KilnJsonContext.Default.HeartbeatResponse);
        });

        app.MapPost("/api/v1/agent/jobs/{jobId:long}/watch", async (long jobId, HttpContext http) =>
        {
            var request = await http.Request.ReadFromJsonAsync(KilnJsonContext.Default.WatchRequest, http.RequestAborted);
            if (ReportAnswer != StatusCodes.Status200OK)
            {
                return Results.StatusCode(ReportAnswer);
            }

            Interlocked.Increment(ref _watches);
            try
            {
                await _cancel.Task.WaitAsync(TimeSpan.FromSeconds(Math.Clamp(request!.WaitSeconds, 0, 30)), http.RequestAborted);
            }
            catch (TimeoutException)
            {
                // Nothing happened within the wait: answer false, the agent asks again.
            }

            return Results.Json(new WatchResponse(_cancel.Task.IsCompleted), KilnJsonContext.Default.WatchResponse);
        });

        app.MapPost("/api/v1/agent/jobs/{jobId:long}/steps/{index:int}", async (long jobId, int index, HttpContext http) =>
        {
            var report = await http.Request.ReadFromJsonAsync(KilnJsonContext.Default.StepReport, http.RequestAborted);
            Interlocked.Increment(ref _stepsReceived);
            if (StepDelay > TimeSpan.Zero)
            {
                await Task.Delay(StepDelay, http.RequestAborted);
            }

            if (ReportAnswer != StatusCodes.Status200OK)
            {
                return Results.StatusCode(ReportAnswer);
            }

            Steps.Enqueue(new StepCall(jobId, index, report!.Status, report.ExitCode, report.LeaseToken));
            StepTimes.Enqueue((jobId, report.At));
            return Results.Json(new AgentAck(_cancel.Task.IsCompleted), KilnJsonContext.Default.AgentAck);
        });

        app.MapPost("/api/v1/agent/jobs/{jobId:long}/log", async (long jobId, HttpContext http) => await AppendLogAsync(jobId, http));

        app.MapPost("/api/v1/agent/jobs/{jobId:long}/complete", async (long jobId, HttpContext http) =>
        {
            var request = await http.Request.ReadFromJsonAsync(KilnJsonContext.Default.CompleteJobRequest, http.RequestAborted);
            if (ReportAnswer != StatusCodes.Status200OK)
            {
                return Results.StatusCode(ReportAnswer);
            }

            CompletedAfterSteps = Steps.Count(s => s.JobId == jobId);
            Completed.TrySetResult((jobId, request!));
            return Results.Json(new AgentAck(false), KilnJsonContext.Default.AgentAck);
        });
    }

    /// <summary>LogChunkWire's rules: sequences from 0 without gaps, a resend of a stored one is a
    /// harmless 200, one that skips ahead is 409.</summary>
    private async Task<IResult> AppendLogAsync(long jobId, HttpContext http)
    {
        var query = http.Request.Query;
        var sequence = long.Parse(query["sequence"].ToString(), CultureInfo.InvariantCulture);
        var lines = int.Parse(query["lines"].ToString(), CultureInfo.InvariantCulture);
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var attempt = new LogAttempt(
            jobId,
            sequence,
            lines,
            http.Request.ContentType,
            http.Request.Headers[LogChunkWire.LeaseHeader].ToString(),
            http.Request.Headers[LogChunkWire.TimesHeader].ToString(),
            "",
            0);
        int previousAttempts;
        lock (_lock)
        {
            previousAttempts = _logAttempts.Count(a => a.JobId == jobId && a.Sequence == sequence);
        }

        var answer = LogPolicy is { } policy ? await policy(attempt, previousAttempts + 1) : StatusCodes.Status200OK;
        attempt = attempt with { Body = await reader.ReadToEndAsync(http.RequestAborted) };
        lock (_lock)
        {
            var stored = _stored.TryGetValue(jobId, out var s) ? s : _stored[jobId] = [];
            if (answer == StatusCodes.Status200OK && sequence > stored.Count)
            {
                answer = StatusCodes.Status409Conflict;
            }

            _logAttempts.Add(attempt with { Answer = answer });
            if (answer == StatusCodes.Status200OK && sequence == stored.Count)
            {
                stored[sequence] = attempt;
            }
        }

        return answer == StatusCodes.Status200OK
            ? Results.Json(new AgentAck(false), KilnJsonContext.Default.AgentAck)
            : Results.StatusCode(answer);
    }
}
