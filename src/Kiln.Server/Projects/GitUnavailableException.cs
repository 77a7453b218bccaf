using System.ComponentModel;

namespace Kiln.Server.Projects;

/// <summary>The git executable (<see cref="KilnServerOptions.Git"/>) could not be started: not installed, not
/// on PATH, or not runnable. The server still serves task-only projects, so this is answered per request
/// (503 problem+json, see <c>ProblemExceptionHandler</c>) rather than stopping the server.</summary>
public sealed class GitUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>What follows and what to do, said after the message.</summary>
    public const string Advice = "Repository projects cannot be added or built until it is: install git, or set Kiln:Git (KILN_GIT) to its path.";

    /// <summary>"git is not installed on the server (not found on PATH)", or the configured name or path.</summary>
    public static string Describe(string executable, Win32Exception failure)
    {
        // ENOENT: no such file; anything else (EACCES…) means it is there but cannot be run.
        const int NoSuchFile = 2;
        if (failure.NativeErrorCode != NoSuchFile)
        {
            return $"git cannot be run on the server ('{executable}': {failure.Message})";
        }

        if (executable.Contains('/', StringComparison.Ordinal))
        {
            return $"git is not installed on the server ('{executable}' does not exist)";
        }

        return executable == KilnServerOptions.DefaultGit
            ? "git is not installed on the server (not found on PATH)"
            : $"git is not installed on the server ('{executable}' not found on PATH)";
    }
}
