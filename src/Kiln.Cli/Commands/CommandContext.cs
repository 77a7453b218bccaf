using System.CommandLine;
using Kiln.Cli.Client;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>What every client command gets: the console, a clock and a way to reach the API.</summary>
public sealed class CommandContext(IAnsiConsole console, TextWriter stdout, TextWriter stderr, TimeProvider time)
{
    public Option<bool> JsonOption { get; } = new("--json") { Description = "Print the API's JSON instead of a table", Recursive = true };

    public IAnsiConsole Console { get; } = console;
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public TimeProvider Time { get; } = time;

    /// <summary>Standard input, for secrets given as <c>-</c>; tests may give their own.</summary>
    public TextReader In { get; init; } = System.Console.In;

    /// <summary>Where the server and token come from; tests may point it elsewhere.</summary>
    public Func<ClientSettings> Settings { get; init; } = ClientSettings.Resolve;

    public ApiClient Api() => ApiClient.Create(Settings());

    /// <summary>Runs a command body, turning <see cref="CliException"/> into its message and exit code.</summary>
    public async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliException e)
        {
            await Error.WriteLineAsync("kiln: " + e.Message);
            return e.ExitCode;
        }
    }
}
