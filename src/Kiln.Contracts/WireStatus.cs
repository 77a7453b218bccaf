namespace Kiln.Contracts;

/// <summary>The status names of the wire (DESIGN.md, "Statuses"), in the agent protocol and the REST shapes.
/// Kiln.Core derives the same names from its enums (<c>StatusNames</c>); Core references nothing, so a test
/// in Kiln.Core.Tests keeps the two lists in agreement.</summary>
public static class WireStatus
{
    public const string Waiting = "waiting";
    public const string Manual = "manual";
    public const string Pending = "pending";
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
    public const string TimedOut = "timed_out";
    public const string Lost = "lost";
    public const string Skipped = "skipped";
    public const string Error = "error";

    public static IReadOnlyList<string> BuildStatuses { get; } = [Queued, Running, Succeeded, Failed, Canceled, Error, Skipped];

    public static IReadOnlyList<string> JobStatuses { get; } = [Waiting, Manual, Queued, Running, Succeeded, Failed, Canceled, TimedOut, Lost, Skipped, Error];

    public static IReadOnlyList<string> StepStatuses { get; } = [Pending, Running, Succeeded, Failed, Canceled, TimedOut, Skipped];
}
