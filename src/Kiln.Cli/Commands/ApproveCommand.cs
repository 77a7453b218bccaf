using System.CommandLine;
using Kiln.Contracts;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln approve PROJECT#N JOB</c>: releases a <c>manual</c> job to the queue.</summary>
public static class ApproveCommand
{
    public static Command Create(CommandContext ctx)
    {
        var target = new Argument<string>("build") { Description = "PROJECT#N" };
        var job = new Argument<string>("job") { Description = "The manual job to run" };
        var cmd = new Command("approve", "Approve a manual job so it runs") { target, job };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var id = BuildRef.Parse(parse.GetValue(target)!);
            using var api = ctx.Api();
            var approved = await api.PostAsync($"{id.ApiPath}/jobs/{Uri.EscapeDataString(parse.GetValue(job)!)}/approve", KilnJsonContext.Default.JobResource, ct);
            await ctx.Out.WriteLineAsync($"Approved '{approved.Name}' of {id}; it is {approved.Status}.");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
