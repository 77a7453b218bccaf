using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiln.Server.Projects;

public sealed record GitResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Ok => ExitCode == 0;

    /// <summary>git's own complaint, trimmed to its first lines, for error messages.</summary>
    public string Complaint => string.Join(' ', StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(3));
}

/// <summary>Runs the real <c>git</c> executable (<see cref="KilnServerOptions.Git"/>); never prompts for
/// credentials. A git that cannot be started throws <see cref="GitUnavailableException"/>.</summary>
public sealed class Git(IOptions<KilnServerOptions> options, ILogger<Git> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private volatile string? _problem;

    /// <summary>Why git could not be started the last time it was tried, or null once it ran (so
    /// <c>/readyz</c> follows a git installed or removed while the server runs).</summary>
    public string? Problem => _problem;

    /// <summary>Runs <c>git --version</c> at start; returns <see cref="Problem"/>.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await RunAsync(null, ["--version"], cancellationToken);
            if (!version.Ok)
            {
                _problem = $"git does not work on the server ('{options.Value.Git} --version' exited {version.ExitCode}: {version.Complaint})";
            }
        }
        catch (GitUnavailableException)
        {
            // Problem says why.
        }

        return _problem;
    }

    public async Task<GitResult> RunAsync(string? workingDirectory, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await RunRawAsync(workingDirectory, args, cancellationToken);
        return new GitResult(exitCode, System.Text.Encoding.UTF8.GetString(stdout), stderr);
    }

    /// <summary>Runs git and returns its standard output as bytes (for file contents, which must not be decoded leniently).</summary>
    public async Task<(int ExitCode, byte[] StdOut, string StdErr)> RunRawAsync(string? workingDirectory, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var executable = options.Value.Git;
        var psi = new ProcessStartInfo(executable)
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
        using var process = Start(psi, executable, workingDirectory);
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

    private Process Start(ProcessStartInfo psi, string executable, string? workingDirectory)
    {
        try
        {
            var process = Process.Start(psi) ?? throw new InvalidOperationException("git could not be started");
            _problem = null;
            return process;
        }
        // A missing working directory fails the same way (ENOENT); that is a missing mirror, not a missing git.
        catch (Win32Exception e) when (workingDirectory is null || Directory.Exists(workingDirectory))
        {
            var problem = GitUnavailableException.Describe(executable, e);
            _problem = problem;
            throw new GitUnavailableException(problem, e);
        }
    }
}
