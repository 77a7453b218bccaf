using System.CommandLine;
using Kiln.Cli.Commands;
using Spectre.Console;

namespace Kiln.Cli;

public static class Program
{
    /// <summary>The width of tables written to a pipe or file, unless <c>COLUMNS</c> says otherwise.</summary>
    public const int PipeWidth = 200;

    public static Task<int> Main(string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            // A pipe has no width: tables keep one line per row, so scripts can grep them.
            console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : PipeWidth;
        }

        return RunAsync(args, new CommandContext(console, Console.Out, Console.Error, TimeProvider.System));
    }

    /// <summary>Parses and runs one command line; tests call this with captured output.</summary>
    public static async Task<int> RunAsync(string[] args, CommandContext ctx)
    {
        var root = new RootCommand("Kiln: a self-hosted CI server, agent and client in one binary.");
        root.Options.Add(ctx.JsonOption);
        root.Subcommands.Add(ServerCommand.Create(ctx));
        root.Subcommands.Add(AgentCommand.Create(ctx));
        root.Subcommands.Add(AgentsCommand.Create(ctx));
        root.Subcommands.Add(TokenCommands.Create(ctx));
        root.Subcommands.Add(ProjectCommands.Create(ctx));
        root.Subcommands.Add(BuildCommand.Create(ctx));
        root.Subcommands.Add(StatusCommand.Create(ctx));
        root.Subcommands.Add(LogsCommand.Create(ctx));
        root.Subcommands.Add(CancelCommand.Create(ctx));
        root.Subcommands.Add(ApproveCommand.Create(ctx));
        root.Subcommands.Add(ValidateCommand.Create(ctx));
        root.Subcommands.Add(EventsCommand.Create(ctx));
        root.Subcommands.Add(Init.InitCommand.Create(ctx));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await ctx.Error.WriteLineAsync("kiln: " + error.Message);
            }

            await ctx.Error.WriteLineAsync("Run 'kiln --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = ctx.Out, Error = ctx.Error, ProcessTerminationTimeout = null }, CancellationToken.None);
    }
}
