namespace Kiln.Cli;

/// <summary>A failure the user should read, with the exit code it ends the command with.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
