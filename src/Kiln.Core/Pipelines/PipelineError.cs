namespace Kiln.Core.Pipelines;

/// <summary>
/// One problem in a pipeline file. <see cref="Key"/> is the dotted path of the offending key when
/// there is one (<c>jobs.build.steps[0].timeout</c>); <see cref="Hint"/> suggests a fix.
/// </summary>
public sealed record PipelineError(string File, int Line, int Column, string Message, string? Key = null, string? Hint = null)
{
    public override string ToString() =>
        Hint is null ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Message} (hint: {Hint})";
}
