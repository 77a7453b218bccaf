using System.CommandLine;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln project add|list|show|remove</c>.</summary>
public static class ProjectCommands
{
    public static Command Create(CommandContext ctx)
    {
        var project = new Command("project", "Add, list, show and remove projects");
        project.Subcommands.Add(Add(ctx));
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
        var branch = new Option<string?>("--branch") { Description = "Default branch (main)" };
        var cmd = new Command("add", "Register a repository (--repo) or a task-only pipeline (--pipeline)") { name, repo, pipeline, branch };
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

            string? yaml = null;
            if (parse.GetValue(pipeline) is { } file)
            {
                yaml = file.Exists ? await File.ReadAllTextAsync(file.FullName, ct) : throw new CliException(ExitCodes.Usage, $"the pipeline file '{file.FullName}' does not exist.");
            }

            using var api = ctx.Api();
            var created = await api.PostAsync("api/v1/projects", new CreateProjectRequest(parse.GetValue(name), repoValue, parse.GetValue(branch), yaml),
                KilnJsonContext.Default.CreateProjectRequest, KilnJsonContext.Default.ProjectResource, ct);
            ctx.Console.MarkupLine($"Added project [bold]{Markup.Escape(created.Name)}[/] ({Markup.Escape(created.Repo ?? "task-only")}).");
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

            var p = await api.GetAsync(path, KilnJsonContext.Default.ProjectResource, ct);
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Project", Markup.Escape(p.Name));
            grid.AddRow("Repository", Markup.Escape(p.Repo ?? "(task-only)"));
            grid.AddRow("Default branch", Markup.Escape(p.DefaultBranch));
            grid.AddRow("Last build", p.LastBuild is { } b ? $"#{b.Number} {Output.Status(b.Status)} {Markup.Escape(b.Commit?[..Math.Min(12, b.Commit.Length)] ?? "")}" : "none");
            ctx.Console.Write(grid);
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
}
