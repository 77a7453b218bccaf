using Kiln.Core.Triggers;
using System.CommandLine;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Core.Pipelines;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln validate [FILE]</c>: checks a pipeline file locally, with no server; included files
/// are read relative to it. Exit 0 when valid (warnings or not), 2 with every problem otherwise.</summary>
public static class ValidateCommand
{
    public static Command Create(CommandContext ctx)
    {
        var file = new Argument<FileInfo?>("file") { Description = "The pipeline file (default: .kiln.yml)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("validate", "Check a pipeline file and list every problem with file:line:column") { file };
        cmd.SetAction((parse, ct) => ctx.RunAsync(async () =>
        {
            var path = parse.GetValue(file) ?? new FileInfo(".kiln.yml");
            if (!path.Exists)
            {
                throw new CliException(ExitCodes.Usage, $"'{path.FullName}' does not exist (run `kiln init` to write a starter pipeline).");
            }

            var directory = path.DirectoryName!;
            var name = Path.GetRelativePath(Environment.CurrentDirectory, path.FullName);
            var result = path.Length > PipelineText.MaxBytes ? new PipelineParseResult(null, [PipelineText.TooLarge(name, path.Length)])
                : PipelineText.TryDecode(await File.ReadAllBytesAsync(path.FullName, ct), name, out var text, out var unreadable)
                ? PipelineParser.Parse(text, name, include =>
                {
                    var full = Path.GetFullPath(Path.Combine(directory, include));
                    return File.Exists(full) && new FileInfo(full).Length <= PipelineText.MaxBytes
                        && PipelineText.TryDecode(File.ReadAllBytes(full), include, out var included, out _) ? included : null;
                })
                : new PipelineParseResult(null, [unreadable!]);
            var jobs = result.Success ? PipelinePlanner.Plan(result.Pipeline!, new PlanContext { Event = TriggerEvent.Manual }).Select(j => j.Name).ToList() : [];
            if (parse.GetValue(ctx.JsonOption))
            {
                var response = new ValidateResponse(result.Success, ToWire(result.Errors), ToWire(result.Warnings), jobs);
                await ctx.Out.WriteLineAsync(JsonSerializer.Serialize(response, KilnJsonContext.Default.ValidateResponse));
                return result.Success ? ExitCodes.Success : ExitCodes.Usage;
            }

            foreach (var error in result.Errors)
            {
                await ctx.Out.WriteLineAsync(Format(error, severity: null));
            }

            // Warnings do not change the exit code: the file is valid, it likely does not do what was meant.
            foreach (var warning in result.Warnings)
            {
                await ctx.Out.WriteLineAsync(Format(warning, "warning"));
            }

            var warnings = result.Warnings.Count == 0 ? "" : Count(result.Warnings.Count, "warning");
            if (result.Success)
            {
                await ctx.Out.WriteLineAsync($"{path.Name} is valid: {Count(jobs.Count, "job")} ({string.Join(", ", jobs)}){(warnings.Length == 0 ? "" : "; " + warnings)}.");
            }
            else
            {
                await ctx.Error.WriteLineAsync($"kiln: {Count(result.Errors.Count, "problem")}{(warnings.Length == 0 ? "" : " and " + warnings)} in {path.Name}.");
            }

            return result.Success ? ExitCodes.Success : ExitCodes.Usage;
        }));
        return cmd;
    }

    /// <summary><c>file:line:column: [warning: ]message (hint: …) [at KEY]</c>, as compilers print it so editors can jump there.</summary>
    private static string Format(PipelineError problem, string? severity)
    {
        var text = $"{problem.File}:{problem.Line}:{problem.Column}: {(severity is null ? "" : severity + ": ")}{problem.Message}";
        text = problem.Hint is null ? text : $"{text} (hint: {problem.Hint})";
        return problem.Key is null ? text : $"{text} [at {problem.Key}]";
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static List<ValidationProblem> ToWire(IEnumerable<PipelineError> problems) =>
        problems.Select(e => new ValidationProblem(e.File, e.Line, e.Column, e.Message, e.Key, e.Hint)).ToList();
}
