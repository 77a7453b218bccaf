namespace Kiln.Execution;

/// <summary>The end of a step.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="ExitCode">The script's exit code; set only for <see cref="StepOutcome.Succeeded"/> and <see cref="StepOutcome.Failed"/>.</param>
/// <param name="Message">Why it ended, for every outcome but <see cref="StepOutcome.Succeeded"/> and <see cref="StepOutcome.Failed"/>.</param>
public sealed record StepResult(StepOutcome Outcome, int? ExitCode, string? Message);
