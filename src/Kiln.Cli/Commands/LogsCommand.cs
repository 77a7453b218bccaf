using System.CommandLine;
using Kiln.Contracts;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln logs PROJECT#N [--job J [--attempt K]] [--follow]</c>.</summary>
public static class LogsCommand
{
    public static Command Create(CommandContext ctx)
    {
        var target = new Argument<string>("build") { Description = "PROJECT#N" };
        var job = new Option<string?>("--job") { Description = "Only this job (default: every job, in order)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing until the jobs end" };
        var attempt = new Option<int?>("--attempt") { Description = "With --job: an earlier attempt of the job (default: its latest)" };
        var cmd = new Command("logs", "Print a build's logs") { target, job, follow, attempt };
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

            if (parse.GetValue(attempt) is { } number)
            {
                if (jobs.Count != 1 || parse.GetValue(follow))
                {
                    throw new CliException(ExitCodes.Usage, "--attempt needs --job (one job) and cannot be followed: an earlier attempt has ended.");
                }

                await LogFollower.PrintAsync(api, id, AttemptId(jobs[0], number).ToString(System.Globalization.CultureInfo.InvariantCulture), ctx.Out, ct);
                return ExitCodes.Success;
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

    /// <summary>The job id of attempt <paramref name="number"/> of the job: the latest one's own, or an earlier one's.</summary>
    private static long AttemptId(Kiln.Contracts.Api.JobResource job, int number) =>
        number == job.Attempt ? job.Id
        : job.PreviousAttempts?.FirstOrDefault(a => a.Attempt == number)?.Id
          ?? throw new CliException(ExitCodes.NotFound, $"job '{job.Name}' has no attempt {number} (attempts: 1 to {job.Attempt}).");
}
