using System.CommandLine;
using Kiln.Cli.Client;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln build PROJECT [--ref R] [--input K=V]… [--wait]</c>.</summary>
public static class BuildCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(300);

    public static Command Create(CommandContext ctx)
    {
        var project = new Argument<string>("project") { Description = "The project to build" };
        var reference = new Option<string?>("--ref") { Description = "Branch, tag or commit (default: the project's default branch)" };
        var inputs = new Option<string[]>("--input") { Description = "An input as NAME=VALUE; repeat for more", AllowMultipleArgumentsPerToken = false };
        var wait = new Option<bool>("--wait") { Description = "Follow the logs and exit with the build's outcome (0 succeeded, 1 otherwise)" };
        var cmd = new Command("build", "Trigger a build") { project, reference, inputs, wait };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var values = new Dictionary<string, string>();
            foreach (var pair in parse.GetValue(inputs) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new CliException(ExitCodes.Usage, $"--input '{pair}' must be NAME=VALUE.");
                }

                values[pair[..eq]] = pair[(eq + 1)..];
            }

            using var api = ctx.Api();
            var name = parse.GetValue(project)!;
            var build = await api.PostAsync($"api/v1/projects/{Uri.EscapeDataString(name)}/builds", new CreateBuildRequest(parse.GetValue(reference), values, "manual"),
                KilnJsonContext.Default.CreateBuildRequest, KilnJsonContext.Default.BuildResource, ct);
            var id = new BuildRef(build.Project, build.Number);
            if (parse.GetValue(ctx.JsonOption) && !parse.GetValue(wait))
            {
                await ctx.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(build, KilnJsonContext.Default.BuildResource));
                return ExitCodes.Success;
            }

            await ctx.Error.WriteLineAsync($"Build {id} queued ({build.Ref ?? "task"}{(build.Commit is { } c ? " @ " + c[..Math.Min(12, c.Length)] : "")}).");
            if (!parse.GetValue(wait))
            {
                await ctx.Out.WriteLineAsync(id.ToString());
                return ExitCodes.Success;
            }

            var final = await FollowBuildAsync(api, id, build, ctx.Out, ct);
            await ctx.Error.WriteLineAsync($"Build {id} {final.Status} in {Output.Duration(final.CreatedAt, final.FinishedAt, ctx.Time)}.");
            return final.Status == "succeeded" ? ExitCodes.Success : ExitCodes.BuildFailed;
        }));
        return cmd;
    }

    /// <summary>Prints each job's log as it runs, jobs in plan order, and returns the ended build.</summary>
    public static async Task<BuildResource> FollowBuildAsync(ApiClient api, BuildRef id, BuildResource build, TextWriter output, CancellationToken ct)
    {
        var multi = build.Jobs.Count > 1;
        foreach (var name in build.Jobs.Select(j => j.Name).ToList())
        {
            var prefix = multi ? $"[{name}] " : "";
            var job = await WaitUntilStartedAsync(api, id, name, ct);
            if (job.StartedAt is null)
            {
                await output.WriteLineAsync($"{prefix}job {job.Status}");
                continue;
            }

            await LogFollower.FollowAsync(api, id, name, prefix, output, ct);
        }

        while (true)
        {
            var current = await api.GetAsync(id.ApiPath, KilnJsonContext.Default.BuildResource, ct);
            if (current.FinishedAt is not null)
            {
                return current;
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    private static async Task<JobResource> WaitUntilStartedAsync(ApiClient api, BuildRef id, string job, CancellationToken ct)
    {
        while (true)
        {
            var current = await api.GetAsync($"{id.ApiPath}/jobs/{Uri.EscapeDataString(job)}", KilnJsonContext.Default.JobResource, ct);
            if (current.Status is not ("waiting" or "queued" or "manual"))
            {
                return current;
            }

            await Task.Delay(PollInterval, ct);
        }
    }
}
