using Kiln.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Execution.Tests;

/// <summary>Runs scripts through a real <see cref="ShellStepExecutor"/> with a short kill grace.</summary>
internal sealed class StepHarness
{
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(300);

    public StepHarness(string? tempDirectory = null)
    {
        Options = new ShellExecutorOptions { KillGracePeriod = Grace, TempDirectory = tempDirectory };
        Executor = new ShellStepExecutor(TimeProvider.System, NullLogger<ShellStepExecutor>.Instance, Options)
        {
            ProcessStarted = pid => ProcessId = pid,
        };
    }

    public ShellExecutorOptions Options { get; }

    public ShellStepExecutor Executor { get; }

    public string Cookie { get; } = "test-" + Guid.NewGuid().ToString("N");

    /// <summary>The pid (= process group) of the last step started.</summary>
    public int ProcessId { get; private set; }

    public StepRequest Request(string script, TimeSpan? timeout = null, string? directory = null, Dictionary<string, string>? environment = null) =>
        new(script, directory ?? Path.GetTempPath(), environment ?? [], timeout, Cookie);

    public Task<StepResult> RunAsync(string script, ILogSink sink, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Executor.RunAsync(Request(script, timeout), sink, cancellationToken);
}
