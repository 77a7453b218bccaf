using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>A README line a test cannot run as written, what it runs instead, and why.</summary>
public sealed record ReadmeSubstitution(string Line, string Replacement, string Why);

/// <summary>What one README command printed (standard output and error, interleaved) and returned.</summary>
public sealed record ReadmeCommandResult(ReadmeCommand Command, string Ran, int ExitCode, string Output)
{
    public IReadOnlyList<string> Lines => KilnApi.SplitLines(Output);
}

/// <summary>
/// Runs README commands in one <c>bash</c>, in order, so <c>cd</c> and <c>export</c> carry over as they
/// do for a reader typing them. Each command's output and exit code are cut out of the transcript by
/// a marker printed after it. A substitution replaces a whole command whose text equals its line.
/// </summary>
public static partial class ReadmeScript
{
    private const string Marker = "@@readme-command";

    public static async Task<IReadOnlyList<ReadmeCommandResult>> RunAsync(
        IReadOnlyList<ReadmeCommand> commands,
        IReadOnlyList<ReadmeSubstitution> substitutions,
        string workDirectory,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout)
    {
        foreach (var substitution in substitutions)
        {
            Assert.True(commands.Any(c => c.Text == substitution.Line), $"No README command is '{substitution.Line}' any more; update the substitution ({substitution.Why}).");
        }

        var ran = commands.Select(c => substitutions.FirstOrDefault(s => s.Line == c.Text)?.Replacement ?? c.Text).ToList();
        var script = new StringBuilder()
            .Append("exec 2>&1\n")
            // A command left running in the background (an agent) ends with the script.
            .Append("trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n");
        for (var i = 0; i < ran.Count; i++)
        {
            script.Append(ran[i]).Append('\n')
                .Append(CultureInfo.InvariantCulture, $"__rc=$?; printf '\\n{Marker} {i} exit %d\\n' \"$__rc\"\n");
        }

        var file = Path.Combine(Path.GetDirectoryName(workDirectory)!, "readme-" + Path.GetFileName(workDirectory) + ".sh");
        await File.WriteAllTextAsync(file, script.ToString());
        var result = await ProcessRunner.RunAsync("bash", [file], timeout, workDirectory, environment);

        var results = new List<ReadmeCommandResult>();
        var from = 0;
        foreach (Match match in MarkerLine().Matches(result.Stdout))
        {
            var index = int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture);
            Assert.True(index == results.Count, $"The README script's markers are out of order.\n{result.Output}");
            results.Add(new ReadmeCommandResult(commands[index], ran[index], int.Parse(match.Groups["exit"].Value, CultureInfo.InvariantCulture), result.Stdout[from..match.Index]));
            from = match.Index + match.Length;
        }

        Assert.True(results.Count == commands.Count, $"The README script stopped after {results.Count} of {commands.Count} commands.\n{result.Output}");
        return results;
    }

    /// <summary>The whole run, command by command, for failure messages.</summary>
    public static string Transcript(IEnumerable<ReadmeCommandResult> results) =>
        string.Concat(results.Select(r => $"$ {r.Ran}\n{r.Output}[exit {r.ExitCode}]\n"));

    [GeneratedRegex(@"\n@@readme-command (?<index>\d+) exit (?<exit>\d+)\n")]
    private static partial Regex MarkerLine();
}
