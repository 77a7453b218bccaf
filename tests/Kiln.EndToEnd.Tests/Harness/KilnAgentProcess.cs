using System.Diagnostics;
using System.Text;

namespace Kiln.EndToEnd.Tests.Harness;

/// <summary>A real <c>kiln agent</c> process working for a <see cref="KilnServerProcess"/>, with its own work folder
/// beside the server's data. It can be stopped gracefully (SIGINT), killed hard (SIGKILL, as a crash or a lost
/// machine would) and started again on the same work folder.</summary>
public sealed class KilnAgentProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly KilnServerProcess _server;
    private readonly IReadOnlyList<string> _arguments;
    private Process? _process;

    private KilnAgentProcess(KilnServerProcess server, string name, IReadOnlyList<string> arguments)
    {
        _server = server;
        Name = name;
        WorkDir = server.ScratchPath("agent-" + name);
        _arguments = arguments;
    }

    public string Name { get; }

    public string WorkDir { get; }

    /// <summary>What the agent wrote to stdout and stderr over all its starts.</summary>
    public string Output => ProcessRunner.Snapshot(_output);

    public bool HasExited => _process is null || _process.HasExited;

    public int ExitCode => _process?.ExitCode ?? throw new InvalidOperationException("The agent was never started.");

    /// <summary>Starts <c>kiln agent --server URL --token TOKEN --name NAME --work DIR ARGS</c> (no --token when null).</summary>
    public static KilnAgentProcess Start(KilnServerProcess server, string name, string? token, params string[] arguments)
    {
        var agent = new KilnAgentProcess(server, name, arguments);
        agent.StartAgain(token);
        return agent;
    }

    /// <summary>Starts the agent (again) on the same work folder.</summary>
    public void StartAgain(string? token = null)
    {
        if (!HasExited)
        {
            throw new InvalidOperationException("The agent is already running.");
        }

        _process?.Dispose();
        ProcessRunner.Append(_output, "=== kiln agent start ===");
        var arguments = new List<string> { "agent", "--server", _server.Url, "--name", Name, "--work", WorkDir };
        if (token is not null)
        {
            arguments.AddRange(["--token", token]);
        }

        arguments.AddRange(_arguments);
        var process = new Process { StartInfo = ProcessRunner.CreateStartInfo(KilnExecutable.FileName, KilnExecutable.Arguments(arguments), _server.ScratchPath(""), null) };
        process.OutputDataReceived += (_, e) => ProcessRunner.Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => ProcessRunner.Append(_output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL of the agent process alone: its steps are left running, as after a crash.</summary>
    public void KillHard() => _process?.Kill(entireProcessTree: false);

    /// <summary>SIGINT and wait for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("The agent was never started.");
        if (!process.HasExited)
        {
            await ProcessRunner.RunAsync("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        }

        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            if (clock.Elapsed > limit)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kiln agent did not stop within {limit.TotalSeconds:0} s of SIGINT.\n{Output}");
            }

            await Task.Delay(50);
        }

        return process.ExitCode;
    }

    /// <summary>Waits for the agent to exit on its own (a failed start check); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("The agent was never started.");
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    await StopAsync(TimeSpan.FromSeconds(15));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // Already gone, or killed by StopAsync.
            }

            process.Dispose();
        }
    }
}
