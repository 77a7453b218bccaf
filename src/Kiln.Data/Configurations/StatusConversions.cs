using Kiln.Core.Builds;

namespace Kiln.Data.Configurations;

/// <summary>Statuses are stored as their wire names ("timed_out"), so the database reads like the API.</summary>
internal static class StatusConversions
{
    public static BuildStatus ToBuild(string s) =>
        StatusNames.TryParseBuild(s, out var v) ? v : throw new InvalidOperationException($"Unknown build status '{s}' in the database.");

    public static JobStatus ToJob(string s) =>
        StatusNames.TryParseJob(s, out var v) ? v : throw new InvalidOperationException($"Unknown job status '{s}' in the database.");

    public static StepStatus ToStep(string s) =>
        StatusNames.TryParseStep(s, out var v) ? v : throw new InvalidOperationException($"Unknown step status '{s}' in the database.");

    public static FailureReason? ToReason(string? s) =>
        s is null ? null
        : StatusNames.TryParseFailureReason(s, out var v) ? v : throw new InvalidOperationException($"Unknown failure reason '{s}' in the database.");
}
