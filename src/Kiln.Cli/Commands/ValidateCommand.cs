using System.CommandLine;
using System.Text.Json;
using Kiln.Contracts;
using Kiln.Contracts.Api;
using Kiln.Core.Pipelines;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln validate [FILE]</c>: checks a pipeline file locally, with no server; included files
/// are read relative to it. Exit 0 when valid, 2 with every problem otherwise.</summary>
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
            var jobs = result.Success ? PipelinePlanner.Plan(result.Pipeline!, new PlanContext { Event = "manual" }).Select(j => j.Name).ToList() : [];
            if (parse.GetValue(ctx.JsonOption))
            {
                var response = new ValidateResponse(result.Success, result.Errors.Select(e => new ValidationProblem(e.File, e.Line, e.Column, e.Message, e.Key, e.Hint)).ToList(), jobs);
                await ctx.Out.WriteLineAsync(JsonSerializer.Serialize(response, KilnJsonContext.Default.ValidateResponse));
            }
            else if (result.Success)
            {
                await ctx.Out.WriteLineAsync($"{path.Name} is valid: {jobs.Count} job{(jobs.Count == 1 ? "" : "s")} ({string.Join(", ", jobs)}).");
            }
            else
            {
                foreach (var error in result.Errors)
                {
                    await ctx.Out.WriteLineAsync(error.Key is { } key ? $"{error} [at {key}]" : error.ToString());
                }

                await ctx.Error.WriteLineAsync($"kiln: {result.Errors.Count} problem{(result.Errors.Count == 1 ? "" : "s")} in {path.Name}.");
            }

            return result.Success ? ExitCodes.Success : ExitCodes.Usage;
        }));
        return cmd;
    }
}
