using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln events [--follow] [--last N] [--after ID] [--project P]</c>: the server's event log, one
/// line per state change (<c>GET /api/v1/events</c>); <c>--json</c> prints each event's JSON on a line.</summary>
public static class EventsCommand
{
    public static Command Create(CommandContext ctx)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events until Ctrl-C" };
        var last = new Option<int?>("--last") { Description = "Start with the last N events (default 20; 0 with --follow: only new ones)" };
        var after = new Option<long?>("--after") { Description = "Start after this event id (resume)" };
        var project = new Option<string?>("--project") { Description = "Only this project's events" };
        var cmd = new Command("events", "Print the event log: every build, job and step change") { follow, last, after, project };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            if (parse.GetValue(last) is < 0 or > 10_000)
            {
                throw new CliException(ExitCodes.Usage, "--last takes a count from 0 to 10000.");
            }

            var query = new List<string> { "follow=" + (parse.GetValue(follow) ? "true" : "false") };
            if (parse.GetValue(after) is { } id)
            {
                query.Add("after=" + id.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                query.Add("last=" + (parse.GetValue(last) ?? 20).ToString(CultureInfo.InvariantCulture));
            }

            if (parse.GetValue(project) is { } name)
            {
                query.Add("project=" + Uri.EscapeDataString(name));
            }

            using var api = ctx.Api();
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events?" + string.Join('&', query));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await api.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(stream);
            var json = parse.GetValue(ctx.JsonOption);
            var ev = "message";
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0)
                {
                    if (ev == "end")
                    {
                        break;
                    }

                    ev = "message";
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    ev = line["event: ".Length..];
                }
                else if (ev != "end" && line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var data = line["data: ".Length..];
                    await ctx.Out.WriteLineAsync(json ? data : Describe(JsonSerializer.Deserialize(data, KilnJsonContext.Default.EventResource)!));
                }
            }

            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>"2026-12-07T13:01:02Z  #42  build.finished  app#7  failed  (by alice)".</summary>
    internal static string Describe(EventResource e)
    {
        var subject = e.Project is null ? "" : e.Build is { } n ? $"{e.Project}#{n.ToString(CultureInfo.InvariantCulture)}" : e.Project;
        if (e.Job is { } job)
        {
            subject += " " + job + (e.Step is { } step ? $" step {step.ToString(CultureInfo.InvariantCulture)}" : "");
        }

        var reason = e.FailureReason is { } r ? $" ({r})" : "";
        var actor = e.Actor is { } a ? $"  by {a}" : "";
        return $"{e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}  {e.Id.ToString(CultureInfo.InvariantCulture)}  {e.Kind}  {subject}  {e.Status}{reason}{actor}";
    }
}
