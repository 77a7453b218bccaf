using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Kiln.Server.Projects;

public sealed record GitResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Ok => ExitCode == 0;

    /// <summary>git's own complaint, trimmed to its first lines, for error messages.</summary>
    public string Complaint => string.Join(' ', StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(3));
}

/// <summary>Runs the real <c>git</c> executable; never prompts for credentials.</summary>
public sealed class Git(ILogger<Git> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public async Task<GitResult> RunAsync(string? workingDirectory, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        psi.Environment["GIT_ASKPASS"] = "true";
        psi.Environment["LC_ALL"] = "C";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("git could not be started");
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            var result = new GitResult(process.ExitCode, await stdout, await stderr);
            logger.LogDebug("git {Args} exited {ExitCode}", string.Join(' ', args), result.ExitCode);
            return result;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}
