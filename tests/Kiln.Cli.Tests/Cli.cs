using Kiln.Cli.Client;
using Kiln.Cli.Commands;
using Spectre.Console;

// Program.RunAsync adds the one static --json option to a new root command on every call; the CLI
// runs once per process, so that is never concurrent there. Keep it so here.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Kiln.Cli.Tests;

/// <summary>What one in-process run of <c>kiln</c> printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error, string Console);

internal static class Cli
{
    /// <summary>Loopback port 1: nothing listens there, so connections are refused at once.</summary>
    public static readonly Uri Unreachable = new("http://127.0.0.1:1/");

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(Unreachable, "t", args);

    public static async Task<CliResult> RunAsync(Uri server, string? token, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var console = new StringWriter();
        var ctx = new CommandContext(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console) }), stdout, stderr, TimeProvider.System)
        {
            Settings = () => new ClientSettings(server, token),
        };

        var code = await Program.RunAsync(args, ctx);
        return new CliResult(code, stdout.ToString(), stderr.ToString(), console.ToString());
    }
}
