using System.Net.Http.Headers;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>One dispatched server-sent event.</summary>
public sealed record SseEvent(string? Id, string Event, IReadOnlyList<string> Data);

/// <summary>A minimal reader of <c>text/event-stream</c> bodies as the HTML spec parses them (comments ignored).</summary>
public static class ServerSentEvents
{
    /// <summary>
    /// GETs an SSE endpoint and reads events until an <c>end</c> event or the end of the body.
    /// Returns the response's media type and the events.
    /// </summary>
    public static async Task<(string? MediaType, IReadOnlyList<SseEvent> Events)> ReadUntilEndAsync(
        HttpClient http, Uri uri, string? lastEventId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.True(response.IsSuccessStatusCode, $"GET {uri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}");
        await using var body = await response.Content.ReadAsStreamAsync(cts.Token);
        using var reader = new StreamReader(body);

        var events = new List<SseEvent>();
        string? id = null;
        string? type = null;
        var data = new List<string>();
        var pending = false;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (pending)
                {
                    events.Add(new SseEvent(id, type ?? "message", data));
                    if (type == "end")
                    {
                        break;
                    }
                }

                (type, data, pending) = (null, [], false);
                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            pending = true;
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
                default:
                    break;
            }
        }

        return (response.Content.Headers.ContentType?.MediaType, events);
    }
}
