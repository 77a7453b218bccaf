using System.CommandLine;
using System.Globalization;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln agents [--json]</c> lists agents; <c>kiln agents pause|resume|remove AGENT</c> (id or name)
/// manages one. A removed agent's token stops working at once; jobs it runs end as lost when their lease expires.</summary>
public static class AgentsCommand
{
    public static Command Create(CommandContext ctx)
    {
        var cmd = new Command("agents", "List agents, or pause, resume or remove one");
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            if (parse.GetValue(ctx.JsonOption))
            {
                await ctx.Out.WriteLineAsync(await api.GetJsonAsync("api/v1/agents", ct));
                return ExitCodes.Success;
            }

            var agents = await api.GetAsync("api/v1/agents", KilnJsonContext.Default.ListAgentResource, ct);
            // Names and statuses never wrap, so scripts that grep the table find an agent on one line.
            var table = new Table()
                .AddColumn(new TableColumn("Agent").NoWrap())
                .AddColumn(new TableColumn("Status").NoWrap())
                .AddColumns("Labels", "Slots", "Running", "Seen", "Disk free", "Load");
            foreach (var a in agents)
            {
                table.AddRow(
                    $"{Markup.Escape(a.Name)} [grey]#{a.Id}[/]",
                    Status(a.Status),
                    Markup.Escape(string.Join(",", a.Labels)),
                    a.Slots.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(" ", a.RunningJobs.Select(j => $"{j.Project}#{j.Build}/{j.Job}"))),
                    a.LastSeenAt is { } seen ? Output.Duration(seen, null, ctx.Time) + " ago" : "never",
                    a.FreeDiskBytes is { } disk ? Bytes(disk) : "",
                    a.LoadAverage?.ToString("0.00", CultureInfo.InvariantCulture) ?? "");
            }

            ctx.Console.Write(table);
            return ExitCodes.Success;
        }));
        cmd.Subcommands.Add(Action(ctx, "pause", "Let an agent finish its jobs and take no new ones", "pause", "Paused"));
        cmd.Subcommands.Add(Action(ctx, "resume", "Let a paused agent take jobs again", "resume", "Resumed"));
        cmd.Subcommands.Add(Remove(ctx));
        return cmd;
    }

    private static Command Action(CommandContext ctx, string name, string description, string route, string done)
    {
        var agent = new Argument<string>("agent") { Description = "Agent id or name" };
        var cmd = new Command(name, description) { agent };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            var a = await api.PostAsync($"api/v1/agents/{Uri.EscapeDataString(parse.GetValue(agent)!)}/{route}", KilnJsonContext.Default.AgentResource, ct);
            await ctx.Out.WriteLineAsync($"{done} agent {a.Name} (id {a.Id}); it is {a.Status}.");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command Remove(CommandContext ctx)
    {
        var agent = new Argument<string>("agent") { Description = "Agent id or name" };
        var cmd = new Command("remove", "Remove an agent and revoke its token") { agent };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            await api.DeleteAsync($"api/v1/agents/{Uri.EscapeDataString(parse.GetValue(agent)!)}", ct);
            await ctx.Out.WriteLineAsync($"Removed agent {parse.GetValue(agent)}; its token no longer works.");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static string Status(string status) => status switch
    {
        "idle" => "[green]idle[/]",
        "busy" => "[blue]busy[/]",
        "paused" => "[yellow]paused[/]",
        _ => $"[grey]{Markup.Escape(status)}[/]",
    };

    private static string Bytes(long bytes) =>
        bytes >= 1L << 30 ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("0", CultureInfo.InvariantCulture) + " MiB";
}
