namespace Kiln.Server.Infrastructure;

internal static class Clock
{
    public static DateTime UtcNow(this TimeProvider time) => time.GetUtcNow().UtcDateTime;

    public static DateTimeOffset? AsUtc(this DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    public static DateTimeOffset AsUtc(this DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
