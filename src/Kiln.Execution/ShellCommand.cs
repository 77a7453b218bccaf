namespace Kiln.Execution;

/// <summary>How a step's script is run, from its <c>shell</c> setting (GitHub Actions' rules):
/// <c>bash</c> (the default) is <c>bash --noprofile --norc -eo pipefail FILE</c>; <c>sh</c> is
/// <c>sh -e FILE</c>; <c>python3</c> is <c>python3 FILE</c>; <c>pwsh</c> runs a <c>.ps1</c> file with
/// <c>pwsh -NoProfile -NonInteractive -File FILE</c>; anything else is a command line in which
/// <c>{0}</c> stands for the script file, split on spaces.</summary>
public sealed record ShellCommand(IReadOnlyList<string> Arguments, string ScriptFileName)
{
    public static ShellCommand For(string? shell, string bashPath, string scriptPath) => For(shell, bashPath).WithScript(scriptPath);

    /// <summary>The command with <c>{0}</c> still in place, and the file name the script needs.</summary>
    public static ShellCommand For(string? shell, string bashPath) => (shell ?? "bash") switch
    {
        "bash" => new([bashPath, "--noprofile", "--norc", "-eo", "pipefail", "{0}"], "step.sh"),
        "sh" => new(["/bin/sh", "-e", "{0}"], "step.sh"),
        "python3" or "python" => new(["python3", "{0}"], "step.py"),
        "pwsh" => new(["pwsh", "-NoProfile", "-NonInteractive", "-File", "{0}"], "step.ps1"),
        var custom when custom.Contains("{0}", StringComparison.Ordinal) =>
            new(custom.Split(' ', StringSplitOptions.RemoveEmptyEntries), "step"),
        var other => throw new ArgumentException($"Unknown shell '{other}': use bash, sh, python3, pwsh or a command line containing {{0}}.", nameof(shell)),
    };

    private ShellCommand WithScript(string scriptPath) =>
        this with { Arguments = Arguments.Select(a => a.Replace("{0}", scriptPath, StringComparison.Ordinal)).ToList() };
}
