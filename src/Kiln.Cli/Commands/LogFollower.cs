using System.Net.Http.Headers;
using Kiln.Cli.Client;

namespace Kiln.Cli.Commands;

/// <summary>Prints a job's log: once (<c>GET …/log</c>) or live from the SSE stream until the job ends.</summary>
public static class LogFollower
{
    public static async Task PrintAsync(ApiClient api, BuildRef build, string job, TextWriter output, CancellationToken ct)
    {
        using var response = await api.SendRawAsync(new HttpRequestMessage(HttpMethod.Get, JobPath(build, job) + "/log"), HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        var buffer = new char[64 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer, ct)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    /// <summary>Follows the job's SSE stream, printing each line (with an optional prefix) until the end event.</summary>
    public static async Task FollowAsync(ApiClient api, BuildRef build, string job, string prefix, TextWriter output, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, JobPath(build, job) + "/log/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await api.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        var ev = "message";
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (ev == "end")
                {
                    return;
                }

                ev = "message";
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                ev = line["event: ".Length..];
            }
            else if (ev == "log" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                await output.WriteLineAsync(prefix + line["data: ".Length..]);
            }
        }
    }

    private static string JobPath(BuildRef build, string job) => $"{build.ApiPath}/jobs/{Uri.EscapeDataString(job)}";
}
