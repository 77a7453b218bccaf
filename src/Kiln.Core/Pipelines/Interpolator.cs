using System.Text;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Plan-time variable interpolation.
/// <para>
/// Kiln replaces <c>${NAME}</c> (NAME is a letter or '_' followed by letters, digits and '_') when it
/// plans a build, in every string field of a job EXCEPT <c>run</c>: the job's and steps' <c>name</c>,
/// <c>env</c> values, <c>image</c>, <c>runs-on</c>, <c>working-directory</c>, <c>artifacts.paths</c>,
/// <c>cache.key</c> and <c>cache.paths</c>, <c>concurrency.group</c>, and the services' images and env
/// values. <c>run</c> is left as written for the shell to expand: the same variables are in its
/// environment, so <c>${NAME}</c> means the same in both places.
/// </para>
/// <para>
/// NAME is looked up, first hit wins, in: the matrix (<c>KILN_MATRIX_&lt;AXIS&gt;</c>, the axis
/// upper-cased with '-' turned into '_'), the inputs (<c>KILN_INPUT_&lt;NAME&gt;</c>, the same way), the
/// event context (<c>KILN_EVENT</c>, <c>KILN_BRANCH</c>, <c>KILN_TAG</c>; empty when the build has no
/// branch or tag), then the job's env (the pipeline's overlaid by the job's). The env values are
/// interpolated first, in one pass, seeing the other env variables as written; every other field
/// (step env values included) then sees the env as interpolated, as the shell will. A step's env
/// does not see itself. An unknown NAME is left as it is. <c>$${</c> writes a literal <c>${</c>
/// (and nothing else is an escape: <c>$$</c> alone stays <c>$$</c>).
/// </para>
/// </summary>
public sealed class Interpolator
{
    private readonly Func<string, string?> lookup;

    public Interpolator(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        this.lookup = lookup;
    }

    /// <summary>An interpolator over one dictionary of variables.</summary>
    public static Interpolator Over(IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new Interpolator(name => variables.TryGetValue(name, out var v) ? v : null);
    }

    /// <summary>The name of the variable for a matrix axis or input: upper-cased, '-' turned into '_'.</summary>
    public static string VariableName(string prefix, string name) =>
        prefix + name.ToUpperInvariant().Replace('-', '_');

    public string Expand(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dollar = text.IndexOf('$', StringComparison.Ordinal);
        if (dollar < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 16);
        result.Append(text, 0, dollar);
        var i = dollar;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '$')
            {
                result.Append(c);
                i++;
            }
            else if (i + 2 < text.Length && text[i + 1] == '$' && text[i + 2] == '{')
            {
                result.Append("${");
                i += 3;
            }
            else if (i + 1 < text.Length && text[i + 1] == '{' && NameEnd(text, i + 2) is var end && end > i + 2 && end < text.Length && text[end] == '}')
            {
                var name = text[(i + 2)..end];
                if (lookup(name) is { } value)
                {
                    result.Append(value);
                }
                else
                {
                    result.Append(text, i, end + 1 - i);
                }

                i = end + 1;
            }
            else
            {
                result.Append(c);
                i++;
            }
        }

        return result.ToString();
    }

    private static int NameEnd(string text, int start)
    {
        if (start >= text.Length || !(char.IsAsciiLetter(text[start]) || text[start] == '_'))
        {
            return start;
        }

        var end = start + 1;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            end++;
        }

        return end;
    }
}
