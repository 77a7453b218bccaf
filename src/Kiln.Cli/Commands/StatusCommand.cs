using System.CommandLine;
using System.Globalization;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln status [PROJECT[#N]]</c>: all projects, a project's latest builds, or one build's jobs and steps.</summary>
public static class StatusCommand
{
    public static Command Create(CommandContext ctx)
    {
        var target = new Argument<string?>("target") { Description = "PROJECT or PROJECT#N", Arity = ArgumentArity.ZeroOrOne };
        var queue = new Option<bool>("--queue") { Description = "Show the jobs that have not started, in order, with why each waits" };
        var cmd = new Command("status", "Show builds, jobs and steps with status and durations") { target, queue };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            var json = parse.GetValue(ctx.JsonOption);
            if (parse.GetValue(queue))
            {
                return await WriteQueueAsync(ctx, api, json, ct);
            }

            var value = parse.GetValue(target);
            var path = value is null ? "api/v1/projects"
                : value.Contains('#', StringComparison.Ordinal) ? BuildRef.Parse(value).ApiPath
                : $"api/v1/projects/{Uri.EscapeDataString(value)}/builds";
            if (json)
            {
                await ctx.Out.WriteLineAsync(await api.GetJsonAsync(path, ct));
                return ExitCodes.Success;
            }

            if (value is null)
            {
                var projects = await api.GetAsync(path, KilnJsonContext.Default.ListProjectResource, ct);
                var table = new Table().AddColumns("Project", "Last build", "Status", "Finished");
                foreach (var p in projects)
                {
                    table.AddRow(Markup.Escape(p.Name), p.LastBuild is { } b ? $"#{b.Number}" : "", p.LastBuild is { } s ? Output.Status(s.Status) : "", Output.Time(p.LastBuild?.FinishedAt));
                }

                ctx.Console.Write(table);
            }
            else if (value.Contains('#', StringComparison.Ordinal))
            {
                WriteBuild(ctx, await api.GetAsync(path, KilnJsonContext.Default.BuildResource, ct));
            }
            else
            {
                var builds = await api.GetAsync(path, KilnJsonContext.Default.ListBuildResource, ct);
                var table = new Table().AddColumns("Build", "Status", "Ref", "Commit", "Event", "By", "Started", "Duration");
                foreach (var b in builds)
                {
                    table.AddRow($"#{b.Number}", Output.Status(b.Status), Markup.Escape(b.Branch ?? b.Tag ?? b.Ref ?? ""), Markup.Escape(Short(b.Commit)),
                        Markup.Escape(EventOf(b)), Markup.Escape(By(b)), Output.Time(b.StartedAt ?? b.CreatedAt), Output.Duration(b.StartedAt, b.FinishedAt, ctx.Time));
                }

                ctx.Console.Write(table);
            }

            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static async Task<int> WriteQueueAsync(CommandContext ctx, Client.ApiClient api, bool json, CancellationToken ct)
    {
        if (json)
        {
            await ctx.Out.WriteLineAsync(await api.GetJsonAsync("api/v1/queue", ct));
            return ExitCodes.Success;
        }

        var jobs = await api.GetAsync("api/v1/queue", KilnJsonContext.Default.ListQueuedJobResource, ct);
        var table = new Table().AddColumns("#", "Job", "Status", "Waiting", "Reason");
        var position = 1;
        foreach (var j in jobs)
        {
            table.AddRow(
                (position++).ToString(CultureInfo.InvariantCulture),
                Markup.Escape($"{j.Project}#{j.Build} {j.Job}" + (j.Attempt > 1 ? $" (attempt {j.Attempt})" : "")),
                Output.Status(j.Status),
                Output.Duration(j.Since, null, ctx.Time),
                Markup.Escape(j.Reason));
        }

        ctx.Console.Write(table);
        return ExitCodes.Success;
    }

    /// <summary>The event, with a pull request's number: <c>pull_request #12</c>.</summary>
    private static string EventOf(BuildResource b) =>
        b.Trigger?.PullRequest is { } pr ? $"{b.Event} #{pr.ToString(CultureInfo.InvariantCulture)}" : b.Event;

    /// <summary>Who triggered it, and through which forge's webhook: <c>mona (github)</c>.</summary>
    private static string By(BuildResource b) =>
        b.Trigger?.Forge is { } forge ? $"{b.TriggeredBy} ({forge})" : b.TriggeredBy;

    private static void WriteBuild(CommandContext ctx, BuildResource b)
    {
        ctx.Console.MarkupLine($"[bold]{Markup.Escape(b.Project)}#{b.Number.ToString(CultureInfo.InvariantCulture)}[/] {Output.Status(b.Status)}  {Markup.Escape(b.Branch ?? b.Tag ?? b.Ref ?? "")} {Markup.Escape(Short(b.Commit))}  {Markup.Escape(EventOf(b))} by {Markup.Escape(By(b))}  {Output.Duration(b.StartedAt, b.FinishedAt, ctx.Time)}");
        if (b.Error is { } error)
        {
            ctx.Console.MarkupLine($"[red]{Markup.Escape(error)}[/]");
        }

        if (b.Trigger?.SkipReason is { } skipped)
        {
            ctx.Console.MarkupLine($"[grey]skipped: {Markup.Escape(skipped)}[/]");
        }

        var table = new Table().AddColumns("Job / step", "Status", "Exit", "Duration", "Agent");
        foreach (var job in b.Jobs)
        {
            // Earlier attempts first, as history: each with how it ended and where (its log: kiln logs --attempt).
            foreach (var earlier in job.PreviousAttempts ?? [])
            {
                table.AddRow($"[grey]{Markup.Escape(job.Name)} (attempt {earlier.Attempt.ToString(CultureInfo.InvariantCulture)})[/]", Ended(earlier.Status, earlier.FailureReason), "",
                    Output.Duration(earlier.StartedAt, earlier.FinishedAt, ctx.Time), Markup.Escape(earlier.Agent ?? ""));
                if (earlier.Message is { } said)
                {
                    table.AddRow($"  [grey]{Markup.Escape(said)}[/]", "", "", "", "");
                }
            }

            var name = job.Attempt > 1 ? $"{job.Name} (attempt {job.Attempt.ToString(CultureInfo.InvariantCulture)})" : job.Name;
            table.AddRow($"[bold]{Markup.Escape(name)}[/]", Ended(job.Status, job.FailureReason), "", Output.Duration(job.StartedAt, job.FinishedAt, ctx.Time), Markup.Escape(job.Agent ?? ""));
            if (job.Message is { } message)
            {
                table.AddRow($"  [grey]{Markup.Escape(message)}[/]", "", "", "", "");
            }
            foreach (var step in job.Steps)
            {
                table.AddRow("  " + Markup.Escape(step.Name), Output.Status(step.Status), step.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "", Output.Duration(step.StartedAt, step.FinishedAt, ctx.Time), "");
            }
        }

        ctx.Console.Write(table);
    }

    /// <summary>A job's status, followed by its failure reason (script, agent_lost, superseded, …) when it has one.</summary>
    private static string Ended(string status, string? failureReason) =>
        failureReason is null ? Output.Status(status) : $"{Output.Status(status)} [grey]({Markup.Escape(failureReason)})[/]";

    private static string Short(string? commit) => commit is null ? "" : commit[..Math.Min(12, commit.Length)];
}
