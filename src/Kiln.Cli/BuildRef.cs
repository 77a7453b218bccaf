using System.Globalization;

namespace Kiln.Cli;

/// <summary><c>PROJECT#N</c> as the commands take it.</summary>
public sealed record BuildRef(string Project, int Number)
{
    public static BuildRef Parse(string text)
    {
        var hash = text.LastIndexOf('#');
        if (hash > 0 && int.TryParse(text.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            return new BuildRef(text[..hash], n);
        }

        throw new CliException(ExitCodes.Usage, $"'{text}' is not a build; write it as PROJECT#NUMBER, e.g. myapp#42.");
    }

    public string ApiPath => $"api/v1/projects/{Uri.EscapeDataString(Project)}/builds/{Number}";

    public override string ToString() => $"{Project}#{Number}";
}
