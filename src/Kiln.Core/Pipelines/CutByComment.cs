using Kiln.Core.Pipelines.Yaml;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Warns about a step's command written as a plain YAML scalar that a comment cut short: in
/// <c>run: echo "build #1"</c> the <c> #</c> starts a YAML comment, so the step runs
/// <c>echo "build</c>, which the shell rejects. Only a cut that leaves a quote open is reported; a
/// real trailing comment after a complete command is common and fine.
/// </summary>
internal static class CutByComment
{
    public static void Check(YamlValue value, string path, ErrorList errors)
    {
        if (value is YamlScalar { CommentAfter: { } comment } scalar && UnclosedQuote(scalar.Value) is { } quote)
        {
            var name = quote == '"' ? "double" : "single";
            errors.Warn(
                comment,
                $"the command is cut here: ' #' starts a YAML comment, and what is left has an unclosed {name} quote ({quote}), which the shell will reject",
                path,
                "quote the whole value, or write it as a block scalar after 'run: |'");
        }
    }

    /// <summary>
    /// The quote a POSIX shell would still be looking for at the end of <paramref name="command"/>, or
    /// null when every quote is closed. Backslash escapes the next character outside single quotes;
    /// a '#' that begins a word starts a shell comment.
    /// </summary>
    public static char? UnclosedQuote(string command)
    {
        char? open = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (open == '\'')
            {
                open = c == '\'' ? null : open;
            }
            else if (c == '\\')
            {
                i++;
            }
            else if (open == '"')
            {
                open = c == '"' ? null : open;
            }
            else if (c is '"' or '\'')
            {
                open = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1]) || command[i - 1] is ';' or '&' or '|' or '(' or ')'))
            {
                var end = command.IndexOf('\n', i);
                i = end < 0 ? command.Length : end;
            }
        }

        return open;
    }
}
