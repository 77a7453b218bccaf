using System.CommandLine;
using Kiln.Cli.Commands;

namespace Kiln.Cli.Init;

/// <summary>
/// <c>kiln init [--force] [--dir DIR]</c>: looks at DIR (default: the current directory), says what
/// kind of project it found, and writes a commented starter <c>DIR/.kiln.yml</c> for it. Refuses
/// (exit 2) to replace an existing file without <c>--force</c>. The file is written to a temporary
/// file beside it and renamed into place, so a reader never sees half a pipeline.
/// </summary>
public static class InitCommand
{
    public const string FileName = ".kiln.yml";

    public static Command Create(CommandContext ctx)
    {
        var force = new Option<bool>("--force") { Description = "Overwrite an existing .kiln.yml" };
        var dir = new Option<string>("--dir") { Description = "The project directory (default: the current directory)" };
        var cmd = new Command("init", "Write a starter .kiln.yml for the project in this directory") { force, dir };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dir) is { Length: > 0 } given ? given : Directory.GetCurrentDirectory());
            if (!Directory.Exists(directory))
            {
                throw new CliException(ExitCodes.Usage, $"{directory} is not a directory");
            }

            var target = Path.Combine(directory, FileName);
            var overwrite = parse.GetValue(force);
            if (!overwrite && File.Exists(target))
            {
                throw AlreadyExists(target);
            }

            var project = ProjectDetector.Detect(directory);
            await ctx.Out.WriteLineAsync($"Detected: {project.Description}");
            await WriteAsync(target, StarterPipeline.For(project), overwrite, ct);
            await ctx.Out.WriteLineAsync($"Wrote {target}");
            await ctx.Out.WriteLineAsync("Edit it to taste, check it with 'kiln validate', and commit it.");
            return ExitCodes.Success;
        }));
        return cmd;
    }

    /// <summary>Writes a temporary file in the same directory, then renames it over <paramref name="target"/>.</summary>
    private static async Task WriteAsync(string target, string text, bool overwrite, CancellationToken ct)
    {
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $"{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            await File.WriteAllTextAsync(temp, text, ct);
            try
            {
                File.Move(temp, target, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(target))
            {
                // Someone created the file between the check and the rename.
                throw AlreadyExists(target);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException(ExitCodes.Usage, $"cannot write {target}: {e.Message}");
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static CliException AlreadyExists(string target) =>
        new(ExitCodes.Usage, $"{target} already exists; use --force to overwrite");
}
