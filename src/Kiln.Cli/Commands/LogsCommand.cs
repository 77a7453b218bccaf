using System.CommandLine;
using Kiln.Contracts;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln logs PROJECT#N [--job J] [--follow]</c>.</summary>
public static class LogsCommand
{
    public static Command Create(CommandContext ctx)
    {
        var target = new Argument<string>("build") { Description = "PROJECT#N" };
        var job = new Option<string?>("--job") { Description = "Only this job (default: every job, in order)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing until the jobs end" };
        var cmd = new Command("logs", "Print a build's logs") { target, job, follow };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var id = BuildRef.Parse(parse.GetValue(target)!);
            using var api = ctx.Api();
            var build = await api.GetAsync(id.ApiPath, KilnJsonContext.Default.BuildResource, ct);
            if (build.Error is { } error)
            {
                await ctx.Out.WriteLineAsync("[kiln] build error: " + error);
            }

            var jobs = build.Jobs.Where(j => parse.GetValue(job) is not { } only || j.Name == only || j.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == only).ToList();
            if (parse.GetValue(job) is { } wanted && jobs.Count == 0)
            {
                throw new CliException(ExitCodes.NotFound, $"build {id} has no job '{wanted}' (jobs: {string.Join(", ", build.Jobs.Select(j => j.Name))}).");
            }

            if (parse.GetValue(follow))
            {
                await BuildCommand.FollowBuildAsync(api, id, build with { Jobs = jobs }, ctx.Out, ct);
                return ExitCodes.Success;
            }

            foreach (var j in jobs)
            {
                if (jobs.Count > 1)
                {
                    await ctx.Out.WriteLineAsync($"==> {j.Name} ({j.Status})");
                }

                await LogFollower.PrintAsync(api, id, j.Name, ctx.Out, ct);
            }

            return ExitCodes.Success;
        }));
        return cmd;
    }
}
