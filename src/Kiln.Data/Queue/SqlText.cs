using System.Data.Common;
using Kiln.Core.Builds;

namespace Kiln.Data.Queue;

/// <summary>Small pieces the queue's SQL is written with: statuses as quoted literals (stored as their
/// wire names, <see cref="StatusNames"/>), and nullable columns read back.</summary>
internal static class SqlText
{
    public static string Literal(JobStatus status) => Quote(StatusNames.ToWire(status));

    public static string Literal(StepStatus status) => Quote(StatusNames.ToWire(status));

    public static string Literal(BuildStatus status) => Quote(StatusNames.ToWire(status));

    public static string? GetStringOrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetInt64OrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static int? GetInt32OrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    public static DateTime? GetDateTimeOrNull(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDateTime(ordinal);

    private static string Quote(string wire) => $"'{wire}'";
}
