using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Kiln.Contracts;
using Kiln.Contracts.AgentProtocol;
using Microsoft.Extensions.Logging;

namespace Kiln.Agent;

/// <summary>The agent's side of agent protocol v1. Reports are retried with backoff until they get
/// through (the server makes them idempotent), so a server restart loses nothing; a 409 ends that
/// job for this agent (<see cref="LeaseLostException"/>).</summary>
public sealed class ServerClient(HttpClient http, TimeProvider time, ILogger<ServerClient> logger, AgentOptions? options = null)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    public Uri BaseAddress => http.BaseAddress!;

    /// <summary>One long poll for work; null when none came in time. Transport errors propagate.</summary>
    public async Task<JobLease?> LeaseAsync(int waitSeconds, CancellationToken cancellationToken)
    {
        var (disk, load) = HostFigures();
        using var response = await http.PostAsJsonAsync("api/v1/agent/lease", new LeaseRequest(waitSeconds, disk, load), KilnJsonContext.Default.LeaseRequest, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        await EnsureSuccessAsync(response, 0, cancellationToken);
        return await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.JobLease, cancellationToken);
    }

    public Task<HeartbeatResponse> HeartbeatAsync(long jobId, string lease, CancellationToken cancellationToken)
    {
        var (disk, load) = HostFigures();
        return SendOnceAsync(jobId, $"api/v1/agent/jobs/{jobId}/heartbeat", new HeartbeatRequest(lease, disk, load), KilnJsonContext.Default.HeartbeatRequest, KilnJsonContext.Default.HeartbeatResponse, cancellationToken);
    }

    /// <summary>Says who this agent is now (labels, slots, version, OS); see <see cref="AgentHelloRequest"/>.
    /// A refused token throws <see cref="HttpRequestException"/> with status 401.</summary>
    public Task<AgentHelloResponse> HelloAsync(AgentOptions agent, CancellationToken cancellationToken)
    {
        var (disk, load) = HostFigures();
        var hello = new AgentHelloRequest(agent.AllLabels, Math.Max(1, agent.Slots), AgentHost.Version, AgentHost.OsDescription, disk, load);
        return SendOnceAsync(0, "api/v1/agent/hello", hello, KilnJsonContext.Default.AgentHelloRequest, KilnJsonContext.Default.AgentHelloResponse, cancellationToken);
    }

    public Task<WatchResponse> WatchAsync(long jobId, string lease, int waitSeconds, CancellationToken cancellationToken) =>
        SendOnceAsync(jobId, $"api/v1/agent/jobs/{jobId}/watch", new WatchRequest(lease, waitSeconds), KilnJsonContext.Default.WatchRequest, KilnJsonContext.Default.WatchResponse, cancellationToken);

    public Task<AgentAck> ReportStepAsync(long jobId, int index, StepReport report, CancellationToken cancellationToken) =>
        SendReliablyAsync(jobId, $"api/v1/agent/jobs/{jobId}/steps/{index}", () => JsonContent.Create(report, KilnJsonContext.Default.StepReport), null, cancellationToken);

    public Task<AgentAck> AppendLogAsync(long jobId, LogChunkUpload chunk, CancellationToken cancellationToken) =>
        SendReliablyAsync(
            jobId,
            $"api/v1/agent/jobs/{jobId}/log?sequence={chunk.Sequence}&lines={chunk.LineCount}",
            () => new StringContent(chunk.Text, Encoding.UTF8, "text/plain"),
            headers =>
            {
                headers.Add(LogChunkWire.LeaseHeader, chunk.LeaseToken);
                headers.Add(LogChunkWire.TimesHeader, LogChunkWire.FormatTimes(chunk.Times));
            },
            cancellationToken);

    public Task<AgentAck> CompleteAsync(long jobId, CompleteJobRequest request, CancellationToken cancellationToken) =>
        SendReliablyAsync(jobId, $"api/v1/agent/jobs/{jobId}/complete", () => JsonContent.Create(request, KilnJsonContext.Default.CompleteJobRequest), null, cancellationToken);

    /// <summary>Free disk of the work folder and the load average, sent with polls and heartbeats.</summary>
    private (long? FreeDiskBytes, double? LoadAverage) HostFigures() =>
        options is null ? (null, null) : (AgentHost.FreeDiskBytes(options.WorkDir), AgentHost.LoadAverage());

    private async Task<AgentAck> SendReliablyAsync(long jobId, string path, Func<HttpContent> content, Action<HttpRequestHeaders>? headers, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content() };
                headers?.Invoke(request.Headers);
                using var response = await http.SendAsync(request, cancellationToken);
                await EnsureSuccessAsync(response, jobId, cancellationToken);
                return (await response.Content.ReadFromJsonAsync(KilnJsonContext.Default.AgentAck, cancellationToken))!;
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Report to {Path} failed ({Error}); retrying in {Delay} ms", path, e.Message, (int)backoff.TotalMilliseconds);
                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task<TResponse> SendOnceAsync<TRequest, TResponse>(long jobId, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(path, body, requestType, cancellationToken);
        await EnsureSuccessAsync(response, jobId, cancellationToken);
        return (await response.Content.ReadFromJsonAsync(responseType, cancellationToken))!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, long jobId, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if (response.StatusCode == HttpStatusCode.Conflict && jobId != 0)
        {
            throw new LeaseLostException(jobId);
        }

        var detail = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}", null, response.StatusCode);
    }

    /// <summary>Network failures, timeouts and 5xx are worth retrying; 4xx other than 409 are bugs.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        HttpRequestException h => h.StatusCode is null or >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests,
        TaskCanceledException => true,
        IOException => true,
        _ => false,
    };
}
