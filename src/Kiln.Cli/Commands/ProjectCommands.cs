using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln project add|update|list|show|remove</c>.</summary>
public static class ProjectCommands
{
    public static Command Create(CommandContext ctx)
    {
        var project = new Command("project", "Add, update, list, show and remove projects");
        project.Subcommands.Add(Add(ctx));
        project.Subcommands.Add(Update(ctx));
        project.Subcommands.Add(List(ctx));
        project.Subcommands.Add(Show(ctx));
        project.Subcommands.Add(Remove(ctx));
        return project;
    }

    private static Command Add(CommandContext ctx)
    {
        var name = new Argument<string>("name") { Description = "Project name (letters, digits, . _ -)" };
        var repo = new Option<string?>("--repo") { Description = "Git URL or local path of the repository" };
        var pipeline = new Option<FileInfo?>("--pipeline") { Description = "Pipeline file of a task-only project" };
        var branch = new Option<string?>("--branch", "--default-branch") { Description = "Default branch (main)" };
        var cooldown = WholeNumberOption("--cooldown-seconds", "Seconds a push build waits before it may start; a newer push supersedes it (0)");
        var limit = WholeNumberOption("--max-running-builds", "At most this many builds run at once (no limit)");
        var weight = WholeNumberOption("--weight", "Share of the agents against other busy projects, 1 to 100 (1)");
        var triggers = new ProjectTriggerOptions();
        var cmd = new Command("add", "Register a repository (--repo) or a task-only pipeline (--pipeline)") { name, repo, pipeline, branch, cooldown, limit, weight };
        triggers.AddTo(cmd);
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var repoValue = parse.GetValue(repo);
            // A local path is sent absolute: the server does not share our working directory.
            if (repoValue is not null && !repoValue.Contains("://", StringComparison.Ordinal) && !Path.IsPathRooted(repoValue) && !repoValue.Contains('@', StringComparison.Ordinal))
            {
                repoValue = Path.GetFullPath(repoValue);
            }

            if (repoValue is not null && !repoValue.Contains("://", StringComparison.Ordinal) && Path.IsPathRooted(repoValue) && !Directory.Exists(repoValue))
            {
                throw new CliException(ExitCodes.Usage, $"the repository path '{repoValue}' does not exist.");
            }

            var yaml = parse.GetValue(pipeline) is { } file ? await ReadPipelineAsync(file, ct) : null;

            using var api = ctx.Api();
            var request = await triggers.AddToRequestAsync(parse, new CreateProjectRequest(parse.GetValue(name), repoValue, parse.GetValue(branch), yaml,
                parse.GetValue(cooldown), parse.GetValue(limit), parse.GetValue(weight)), ctx.In, ct);
            var created = await api.PostAsync("api/v1/projects", request,
                KilnJsonContext.Default.CreateProjectRequest, KilnJsonContext.Default.ProjectResource, ct);
            ctx.Console.MarkupLine($"Added project [bold]{Markup.Escape(created.Name)}[/] ({Markup.Escape(created.Repo ?? "task-only")}).");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command Update(CommandContext ctx)
    {
        var name = new Argument<string>("name");
        var cooldown = WholeNumberOption("--cooldown-seconds", "Seconds a push build waits before it may start; a newer push supersedes it (0 for none)");
        var limit = new Option<string?>("--max-running-builds") { Description = "At most this many builds run at once, or 'none' for no limit" };
        var weight = WholeNumberOption("--weight", "Share of the agents against other busy projects, 1 to 100");
        var branch = new Option<string?>("--default-branch") { Description = "Branch built when no ref is given" };
        var pipeline = new Option<FileInfo?>("--pipeline") { Description = "Replace a task-only project's pipeline with this file" };
        var triggers = new ProjectTriggerOptions();
        var cmd = new Command("update", "Change a project's settings; those not given stay as they are") { name, cooldown, limit, weight, branch, pipeline };
        triggers.AddTo(cmd);
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            // Only the flags given go into the merge patch: a member left out is left unchanged.
            var patch = new JsonObject();
            if (parse.GetValue(cooldown) is { } seconds)
            {
                patch[ProjectPatchFields.CooldownSeconds] = seconds;
            }

            if (parse.GetValue(limit) is { } text)
            {
                patch[ProjectPatchFields.MaxRunningBuilds] = string.Equals(text, "none", StringComparison.OrdinalIgnoreCase) ? null
                    : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
                    : throw new CliException(ExitCodes.Usage, $"--max-running-builds must be a whole number or 'none'; got '{text}'.");
            }

            if (parse.GetValue(weight) is { } w)
            {
                patch[ProjectPatchFields.Weight] = w;
            }

            if (parse.GetValue(branch) is { } b)
            {
                patch[ProjectPatchFields.DefaultBranch] = b;
            }

            if (parse.GetValue(pipeline) is { } file)
            {
                patch[ProjectPatchFields.Pipeline] = await ReadPipelineAsync(file, ct);
            }

            await triggers.AddToPatchAsync(parse, patch, ctx.In, ct);
            if (patch.Count == 0)
            {
                throw new CliException(ExitCodes.Usage, $"nothing to change: give at least one of {string.Join(", ", cmd.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o != ctx.JsonOption && o.Name != "--help").Select(o => o.Name))}.");
            }

            using var api = ctx.Api();
            var p = await api.PatchAsync($"api/v1/projects/{Uri.EscapeDataString(parse.GetValue(name)!)}", patch, KilnJsonContext.Default.ProjectResource, ct);
            if (parse.GetValue(ctx.JsonOption))
            {
                await ctx.Out.WriteLineAsync(JsonSerializer.Serialize(p, KilnJsonContext.Default.ProjectResource));
                return ExitCodes.Success;
            }

            ctx.Console.MarkupLine($"Updated project [bold]{Markup.Escape(p.Name)}[/].");
            ctx.Console.Write(Describe(p));
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command List(CommandContext ctx)
    {
        var cmd = new Command("list", "List projects");
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            if (parse.GetValue(ctx.JsonOption))
            {
                await ctx.Out.WriteLineAsync(await api.GetJsonAsync("api/v1/projects", ct));
                return ExitCodes.Success;
            }

            var projects = await api.GetAsync("api/v1/projects", KilnJsonContext.Default.ListProjectResource, ct);
            var table = new Table().AddColumns("Project", "Repository", "Branch", "Last build");
            foreach (var p in projects)
            {
                table.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Repo ?? "(task-only)"), Markup.Escape(p.DefaultBranch),
                    p.LastBuild is { } b ? $"#{b.Number} {Output.Status(b.Status)}" : "");
            }

            ctx.Console.Write(table);
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command Show(CommandContext ctx)
    {
        var name = new Argument<string>("name");
        var cmd = new Command("show", "Show one project") { name };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            var path = $"api/v1/projects/{Uri.EscapeDataString(parse.GetValue(name)!)}";
            if (parse.GetValue(ctx.JsonOption))
            {
                await ctx.Out.WriteLineAsync(await api.GetJsonAsync(path, ct));
                return ExitCodes.Success;
            }

            ctx.Console.Write(Describe(await api.GetAsync(path, KilnJsonContext.Default.ProjectResource, ct)));
            return ExitCodes.Success;
        }));
        return cmd;
    }

    private static Command Remove(CommandContext ctx)
    {
        var name = new Argument<string>("name");
        var cmd = new Command("remove", "Remove a project with its builds and logs") { name };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            using var api = ctx.Api();
            await api.DeleteAsync($"api/v1/projects/{Uri.EscapeDataString(parse.GetValue(name)!)}", ct);
            ctx.Console.MarkupLine($"Removed project [bold]{Markup.Escape(parse.GetValue(name)!)}[/].");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>The file's text; the server validates it, so <c>kiln validate</c> and the API agree.</summary>
    private static async Task<string> ReadPipelineAsync(FileInfo file, CancellationToken ct) =>
        file.Exists ? await File.ReadAllTextAsync(file.FullName, ct) : throw new CliException(ExitCodes.Usage, $"the pipeline file '{file.FullName}' does not exist.");

    private static Grid Describe(ProjectResource p)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("Project", Markup.Escape(p.Name));
        grid.AddRow("Repository", Markup.Escape(p.Repo ?? "(task-only)"));
        grid.AddRow("Default branch", Markup.Escape(p.DefaultBranch));
        grid.AddRow("Cooldown", p.CooldownSeconds == 0 ? "none" : p.CooldownSeconds.ToString(CultureInfo.InvariantCulture) + " s");
        grid.AddRow("Max running builds", p.MaxRunningBuilds is { } limit ? limit.ToString(CultureInfo.InvariantCulture) : "no limit");
        grid.AddRow("Weight", p.Weight.ToString(CultureInfo.InvariantCulture));
        if (p.Triggers is { } t)
        {
            grid.AddRow("Webhook secret", t.WebhookSecretSet ? "set" : "not set (webhooks are refused)");
            grid.AddRow("Allowed actors", t.AllowedActors is { } actors ? Markup.Escape(string.Join(", ", actors)) : "anyone");
            grid.AddRow("Fork pull requests", t.ForkPullRequests);
            grid.AddRow("Poll interval", t.PollInterval ?? "no polling");
            grid.AddRow("Commit statuses", t.StatusTokenSet
                ? $"to {Markup.Escape(t.Forge ?? "the repository's forge")}{(t.StatusPerJob ? ", one per job" : "")}{(t.PullRequestComments ? ", with pull-request comments" : "")}"
                : "off (no status token)");
        }

        grid.AddRow("Last build", p.LastBuild is { } b ? $"#{b.Number} {Output.Status(b.Status)} {Markup.Escape(b.Commit?[..Math.Min(12, b.Commit.Length)] ?? "")}" : "none");
        return grid;
    }

    /// <summary>A whole-number option whose parse error names the flag (the default names the CLR type); the
    /// server checks the range and names the setting.</summary>
    private static Option<int?> WholeNumberOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            result.AddError($"{name} must be a whole number; got '{text}'.");
            return null;
        },
    };
}
