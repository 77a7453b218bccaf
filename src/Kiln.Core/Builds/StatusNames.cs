namespace Kiln.Core.Builds;

/// <summary>
/// The wire names of the statuses: the snake_case of the enum member in lower case
/// (<c>queued</c>, <c>timed_out</c>). Parsing accepts exactly those names.
/// </summary>
public static class StatusNames
{
    private static readonly WireNames<BuildStatus> Builds = new();
    private static readonly WireNames<JobStatus> Jobs = new();
    private static readonly WireNames<StepStatus> Steps = new();
    private static readonly WireNames<FailureReason> Reasons = new();

    public static string ToWire(BuildStatus s) => Builds.ToWire(s);

    public static string ToWire(JobStatus s) => Jobs.ToWire(s);

    public static string ToWire(StepStatus s) => Steps.ToWire(s);

    public static string ToWire(FailureReason r) => Reasons.ToWire(r);

    public static string? ToWire(FailureReason? r) => r is { } v ? Reasons.ToWire(v) : null;

    public static bool TryParseFailureReason(string s, out FailureReason v) => Reasons.TryParse(s, out v);

    public static bool TryParseBuild(string s, out BuildStatus v) => Builds.TryParse(s, out v);

    public static bool TryParseJob(string s, out JobStatus v) => Jobs.TryParse(s, out v);

    public static bool TryParseStep(string s, out StepStatus v) => Steps.TryParse(s, out v);

    /// <summary>"TimedOut" becomes "timed_out".</summary>
    public static string ToSnakeCase(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
