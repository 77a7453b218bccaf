using System.CommandLine;
using Kiln.Contracts;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln cancel PROJECT#N</c>: stops the build's running steps and skips the rest.</summary>
public static class CancelCommand
{
    public static Command Create(CommandContext ctx)
    {
        var target = new Argument<string>("build") { Description = "PROJECT#N" };
        var cmd = new Command("cancel", "Cancel a build") { target };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var id = BuildRef.Parse(parse.GetValue(target)!);
            using var api = ctx.Api();
            var build = await api.PostAsync($"{id.ApiPath}/cancel", KilnJsonContext.Default.BuildResource, ct);
            await ctx.Out.WriteLineAsync(build.FinishedAt is null ? $"Canceling {id}; running steps are being stopped." : $"Build {id} is {build.Status}.");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
