namespace Kiln.Execution;

/// <summary>How a step ended.</summary>
public enum StepOutcome
{
    /// <summary>The script exited with code 0.</summary>
    Succeeded,

    /// <summary>The script exited with a non-zero code (or was killed by a signal it did not get from Kiln).</summary>
    Failed,

    /// <summary>The step's timeout elapsed and Kiln killed it.</summary>
    TimedOut,

    /// <summary>The caller canceled the step and Kiln killed it.</summary>
    Canceled,

    /// <summary>Kiln or the machine failed: the step could not be started, or its log could not be written.</summary>
    Error,
}
