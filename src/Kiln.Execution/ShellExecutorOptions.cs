namespace Kiln.Execution;

/// <summary>Settings of <see cref="ShellStepExecutor"/>.</summary>
public sealed class ShellExecutorOptions
{
    /// <summary>Time between SIGTERM and SIGKILL when a step is canceled or times out.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long output is still read after the step's main process ended. Background processes
    /// that keep the output pipe open (daemons, <c>nohup x &amp;</c>) would otherwise hold the step forever.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Directory under which each step's script file is written (in its own 0700 folder, removed afterwards); null for the system temp directory.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>The bash that runs scripts.</summary>
    public string BashPath { get; set; } = "/bin/bash";
}
