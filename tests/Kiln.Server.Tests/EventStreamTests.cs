using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Kiln.Server.Tests;

/// <summary><c>GET /api/v1/events</c> on the wire: replay, resume by <c>Last-Event-ID</c>, live tail.</summary>
public sealed class EventStreamTests
{
    [Fact]
    public async Task Replay_names_each_change_with_its_id_and_kind_and_resumes_after_Last_Event_ID()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        await server.TriggerAsync("app");
        using (var cancel = await server.Admin.PostAsync("api/v1/projects/app/builds/1/cancel", null))
        {
            await KilnTestServer.ExpectAsync(cancel, HttpStatusCode.Accepted);
        }

        var frames = await ReadAsync(server.Admin, "api/v1/events?after=0&follow=false", lastEventId: null);
        Assert.Equal(
            ["build.queued", "build.queued", "build.canceling", "job.finished", "job.finished", "build.finished", "end"],
            frames.Select(f => f.Event));
        Assert.All(frames[..^1], f => Assert.Equal(f.Id, JsonDocument.Parse(f.Data).RootElement.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var canceled = JsonDocument.Parse(frames[2].Data).RootElement;
        Assert.Equal(("app", 1, "admin", "canceled_by_user"), (canceled.GetProperty("project").GetString(), canceled.GetProperty("build").GetInt32(), canceled.GetProperty("actor").GetString(), canceled.GetProperty("failureReason").GetString()));

        var resumed = await ReadAsync(server.Admin, "api/v1/events?follow=false", lastEventId: frames[2].Id);
        Assert.Equal(frames.Skip(3).Select(f => f.Id), resumed.Select(f => f.Id));

        using var bad = await server.Admin.GetAsync("api/v1/events?last=-1");
        await KilnTestServer.ProblemAsync(bad, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_stream_without_a_position_tails_only_new_events_live()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.CreateTaskProjectAsync("app");
        await server.TriggerAsync("app");
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await server.Admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var clock = Stopwatch.StartNew();
        await server.TriggerAsync("app");
        var first = await NextFrameAsync(reader).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("build.queued", first.Event);
        Assert.Equal(2, JsonDocument.Parse(first.Data).RootElement.GetProperty("build").GetInt32());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the event arrived after {clock.Elapsed.TotalSeconds:0.##} s");
    }

    internal sealed record Frame(string? Id, string Event, string Data);

    internal static async Task<List<Frame>> ReadAsync(HttpClient client, string path, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await client.SendAsync(request);
        await KilnTestServer.ExpectAsync(response, HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var frames = new List<Frame>();
        while (true)
        {
            var frame = await NextFrameAsync(reader);
            frames.Add(frame);
            if (frame.Event == "end")
            {
                return frames;
            }
        }
    }

    /// <summary>The next event of the raw body (comments such as <c>: ping</c> skipped).</summary>
    internal static async Task<Frame> NextFrameAsync(StreamReader reader)
    {
        string? id = null, ev = "message", data = "";
        var any = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new Frame(id, ev, data);
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                continue;
            }

            any = true;
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                ev = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line[6..];
            }
        }

        throw new EndOfStreamException("the event stream ended");
    }
}
