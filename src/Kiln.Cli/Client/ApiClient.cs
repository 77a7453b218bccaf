using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.Cli.Client;

/// <summary>The public REST API as the CLI uses it. Failures become <see cref="CliException"/> with
/// DESIGN.md's exit code and the server's problem+json message.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public static ApiClient Create(ClientSettings settings)
    {
#pragma warning disable RS0030 // The CLI is its own composition root: one client per invocation.
        var http = new HttpClient { BaseAddress = settings.Server, Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore RS0030
        if (settings.Token is { } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return new ApiClient(http);
    }

    public Uri Server => http.BaseAddress!;

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), type, ct);

    public Task<T> PostAsync<TBody, T>(string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, bodyType) }, type, ct);

    /// <summary>A JSON merge patch (RFC 7396): members left out of <paramref name="patch"/> stay as they are, a null removes.</summary>
    public Task<T> PatchAsync<T>(string path, JsonObject patch, JsonTypeInfo<T> type, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Patch, path) { Content = new StringContent(patch.ToJsonString(), Encoding.UTF8, "application/merge-patch+json") }, type, ct);

    public Task<T> PostAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path), type, ct);

    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Delete, path), HttpCompletionOption.ResponseContentRead, ct);
    }

    /// <summary>The raw JSON of a GET, for <c>--json</c>.</summary>
    public async Task<string> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseContentRead, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>Sends and checks the status; the caller disposes the response (used for streams).</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach the Kiln server at {Server}: {e.Message} (set KILN_SERVER, or start one with `kiln server`)");
        }
        finally
        {
            request.Dispose();
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ToExceptionAsync(response, ct);
            }
        }

        return response;
    }

    public void Dispose() => http.Dispose();

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync(type, ct))!;
    }

    private static async Task<CliException> ToExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        ProblemResource? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize(body, KilnJsonContext.Default.ProblemResource);
        }
        catch (JsonException)
        {
            // Not problem+json: fall back to the status line.
        }

        var message = problem?.Detail ?? problem?.Title ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
        if (problem?.Errors is { Count: > 0 } errors)
        {
            message += Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
        }

        var code = response.StatusCode switch
        {
            HttpStatusCode.NotFound => ExitCodes.NotFound,
            HttpStatusCode.Unauthorized => ExitCodes.Unreachable,
            HttpStatusCode.Forbidden => ExitCodes.Unreachable,
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict => ExitCodes.Usage,
            _ => ExitCodes.Unreachable,
        };
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            message = "the server refused the token (set KILN_TOKEN or run `kiln login`)";
        }

        return new CliException(code, message);
    }
}
