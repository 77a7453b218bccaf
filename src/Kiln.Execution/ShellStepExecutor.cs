using System.ComponentModel;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace Kiln.Execution;

/// <summary>
/// Runs a step as a bash script on Linux, in its own session and process group.
/// </summary>
/// <remarks>
/// The script is written to a private temp folder and its shell command (from
/// <see cref="ShellCommand"/>, by default <c>/bin/bash --noprofile --norc -eo pipefail SCRIPT</c>)
/// is started directly with <c>posix_spawn</c> (<see cref="StepProcess"/>): the child calls
/// <c>setsid()</c> before exec, so the pid is the session and process-group leader for the whole
/// step, and nothing but the shell is loaded. stdin is /dev/null; stderr joins stdout in one pipe
/// so their order is kept. The environment is the agent's without its <c>KILN_*</c> settings, plus
/// <see cref="StepRequest.Environment"/>, plus <c>KILN_JOB_COOKIE</c> for <see cref="ProcessTreeSweeper"/>.
/// See <see cref="IStepExecutor"/> for the semantics.
/// </remarks>
public sealed class ShellStepExecutor(
    TimeProvider timeProvider,
    ILogger<ShellStepExecutor> logger,
    ShellExecutorOptions options) : IStepExecutor
{
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <summary>Test hook: called with the step's pid (= its process-group id) right after it started.</summary>
    internal Action<int>? ProcessStarted { get; init; }

    /// <inheritdoc />
    public async Task<StepResult> RunAsync(StepRequest request, ILogSink log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentException.ThrowIfNullOrEmpty(request.JobCookie);
        if (request.Timeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        }

        if (!OperatingSystem.IsLinux())
        {
            return Error("the shell executor runs only on Linux");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return new StepResult(StepOutcome.Canceled, null, "step canceled before it started");
        }

        if (!Directory.Exists(request.WorkingDirectory))
        {
            return Error($"the working directory '{request.WorkingDirectory}' does not exist");
        }

        ShellCommand shell;
        try
        {
            shell = ShellCommand.For(request.Shell, options.BashPath);
        }
        catch (ArgumentException ex)
        {
            return Error(ex.Message);
        }

        string directory = Path.Combine(options.TempDirectory ?? Path.GetTempPath(), "kiln-step-" + Guid.NewGuid().ToString("N"));
        try
        {
            string script = Path.Combine(directory, shell.ScriptFileName);
            try
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                await File.WriteAllTextAsync(script, request.Script, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "Could not write a step script under {Directory}", directory);
                return Error($"could not write the step's script: {ex.Message}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new StepResult(StepOutcome.Canceled, null, "step canceled before it started");
            }

            return await RunScriptAsync(request, script, log, cancellationToken);
        }
        finally
        {
            TryDeleteDirectory(directory);
        }
    }

    [SupportedOSPlatform("linux")]
    private async Task<StepResult> RunScriptAsync(StepRequest request, string script, ILogSink log, CancellationToken cancellationToken)
    {
        StepProcess started;
        try
        {
            started = StepProcess.Start(
                ShellCommand.For(request.Shell, options.BashPath, script).Arguments, StepEnvironment(request), request.WorkingDirectory);
        }
        catch (Exception ex) when (ex is Win32Exception or IOException or ArgumentException)
        {
            logger.LogWarning(ex, "Could not start a step in {Directory}", request.WorkingDirectory);
            return Error($"could not start the step: {ex.Message}");
        }

        using StepProcess process = started;
        ProcessStarted?.Invoke(process.Id);
        logger.LogDebug("Step started as process group {ProcessGroup}", process.Id);

        using var sinkCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        using var readCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        using var pump = new OutputPump(timeProvider, log, sinkCts.Token);
        Task pumping = pump.RunAsync(process.Output, readCts.Token);

        StepOutcome? stoppedAs = await WaitOrStopAsync(process, request.Timeout, pump, cancellationToken);
        if (stoppedAs == StepOutcome.Canceled)
        {
            sinkCts.CancelAfter(options.DrainTimeout);
        }

        readCts.CancelAfter(options.DrainTimeout);
        await pumping;
        if (pump.StoppedBeforeEnd)
        {
            logger.LogWarning(
                "Stopped reading the output of process group {ProcessGroup} {Drain} after it ended: a background process keeps it open",
                process.Id,
                options.DrainTimeout);
        }

        return await FinishAsync(await process.Exited, stoppedAs, pump.Failure, request.Timeout, log, sinkCts.Token);
    }

    /// <summary>Waits for the main process; on cancel, timeout or sink failure kills the group and says why.</summary>
    [SupportedOSPlatform("linux")]
    private async Task<StepOutcome?> WaitOrStopAsync(StepProcess process, TimeSpan? timeout, OutputPump pump, CancellationToken cancellationToken)
    {
        TimeSpan delay = timeout is { } limit ? (limit < LongestTimer ? limit : LongestTimer) : Timeout.InfiniteTimeSpan;
        using var timeoutCts = new CancellationTokenSource(delay, timeProvider);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token, pump.SinkFailed);
        try
        {
            await process.WaitForExitAsync(stop.Token);
            return null;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        StepOutcome reason = cancellationToken.IsCancellationRequested ? StepOutcome.Canceled
            : pump.Failure is not null ? StepOutcome.Error
            : StepOutcome.TimedOut;
        await TerminateAsync(process, reason);
        return reason;
    }

    /// <summary>SIGTERM to the group, up to the grace period for the main process to exit, then SIGKILL to the group.</summary>
    [SupportedOSPlatform("linux")]
    private async Task TerminateAsync(StepProcess process, StepOutcome reason)
    {
        logger.LogInformation(
            "Stopping process group {ProcessGroup} ({Reason}): SIGTERM, SIGKILL after {Grace}",
            process.Id,
            reason,
            options.KillGracePeriod);
        ProcessGroup.Signal(process, LibC.SIGTERM);
        using (var grace = new CancellationTokenSource(options.KillGracePeriod, timeProvider))
        {
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException) when (grace.IsCancellationRequested)
            {
                logger.LogInformation("Process group {ProcessGroup} ignored SIGTERM", process.Id);
            }
        }

        // Always: the main process may be gone while others of its group still trap SIGTERM.
        ProcessGroup.Signal(process, LibC.SIGKILL);
        await process.WaitForExitAsync(CancellationToken.None);
    }

    private async Task<StepResult> FinishAsync(
        int exitCode, StepOutcome? stoppedAs, Exception? sinkFailure, TimeSpan? timeout, ILogSink log, CancellationToken sinkToken)
    {
        if (sinkFailure is not null)
        {
            logger.LogWarning(sinkFailure, "A step's log sink failed; the step was stopped");
            return Error($"the step's log could not be written: {sinkFailure.Message}");
        }

        switch (stoppedAs)
        {
            case StepOutcome.Canceled:
                await NoteAsync(log, "[kiln] step canceled", sinkToken);
                return new StepResult(StepOutcome.Canceled, null, "step canceled");
            case StepOutcome.TimedOut:
                string message = $"step timed out after {DurationFormat.Format(timeout.GetValueOrDefault())}";
                await NoteAsync(log, "[kiln] " + message, sinkToken);
                return new StepResult(StepOutcome.TimedOut, null, message);
            default:
                return exitCode == 0
                    ? new StepResult(StepOutcome.Succeeded, 0, null)
                    : new StepResult(StepOutcome.Failed, exitCode, null);
        }
    }

    private async Task NoteAsync(ILogSink log, string text, CancellationToken sinkToken)
    {
        try
        {
            await log.WriteAsync(new LogLine(timeProvider.GetUtcNow(), text), sinkToken);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not write '{Text}' to a step's log", text);
        }
    }

    private static Dictionary<string, string> StepEnvironment(StepRequest request)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry inherited in Environment.GetEnvironmentVariables())
        {
            // The agent's own KILN_ settings (its token, a bootstrap admin token) are not the step's business.
            if (inherited.Key is string name && !name.StartsWith("KILN_", StringComparison.Ordinal))
            {
                environment[name] = inherited.Value as string ?? "";
            }
        }

        foreach ((string name, string value) in request.Environment)
        {
            environment[name] = value;
        }

        environment[ProcessTreeSweeper.CookieVariable] = request.JobCookie;
        return environment;
    }

    private void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not remove the step folder {Directory}", directory);
        }
    }

    private static StepResult Error(string message) => new(StepOutcome.Error, null, message);
}
