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
        var (exitCode, stdout, stderr) = await RunRawAsync(workingDirectory, args, cancellationToken);
        return new GitResult(exitCode, System.Text.Encoding.UTF8.GetString(stdout), stderr);
    }

    /// <summary>Runs git and returns its standard output as bytes (for file contents, which must not be decoded leniently).</summary>
    public async Task<(int ExitCode, byte[] StdOut, string StdErr)> RunRawAsync(string? workingDirectory, IReadOnlyList<string> args, CancellationToken cancellationToken)
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
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await copy;
            logger.LogDebug("git {Args} exited {ExitCode}", string.Join(' ', args), process.ExitCode);
            return (process.ExitCode, stdout.ToArray(), await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}
