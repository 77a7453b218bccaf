using Quartz;

namespace Kiln.Core.Pipelines;

/// <summary>
/// Five-field Unix cron lines: <c>minute hour day-of-month month day-of-week</c>, each field
/// <c>*</c>, a value, a range <c>a-b</c>, any of those with a step <c>/n</c>, or a comma list of
/// them; months may be JAN–DEC, days SUN–SAT, and day 7 is Sunday like 0. The macros
/// <c>@yearly</c> (<c>@annually</c>), <c>@monthly</c>, <c>@weekly</c>, <c>@daily</c>
/// (<c>@midnight</c>) and <c>@hourly</c> stand for their lines. As in Unix cron, when both
/// day-of-month and day-of-week are restricted a day matching either fires. A checked line is
/// also one Quartz reads: <c>CronExpression.Parse(line, CronFormat.Unix)</c>.
/// </summary>
public static class CronLine
{
    private static readonly string[] FieldNames = ["minute", "hour", "day of month", "month", "day of week"];
    private static readonly (int Min, int Max)[] Bounds = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>
    /// Checks <paramref name="line"/>; on success <paramref name="normalized"/> is its five fields
    /// joined by single spaces (macros written out), else <paramref name="error"/> says what is wrong.
    /// </summary>
    public static bool TryNormalize(string line, out string normalized, out string? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        normalized = "";
        var text = line.Trim() switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            var other => other,
        };
        var fields = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"a cron line has 5 fields (minute hour day-of-month month day-of-week), not {fields.Length}";
            return false;
        }

        for (var f = 0; f < 5; f++)
        {
            if (CheckField(fields[f], f) is { } problem)
            {
                error = $"{FieldNames[f]} '{fields[f]}': {problem}";
                return false;
            }
        }

        if (!CronExpression.TryParse(string.Join(' ', fields), CronFormat.Unix, out _))
        {
            error = "the line is not a valid schedule";
            return false;
        }

        normalized = string.Join(' ', fields);
        error = null;
        return true;
    }

    private static string? CheckField(string field, int f)
    {
        foreach (var item in field.Split(','))
        {
            if (item.Length == 0)
            {
                return "an empty item in the list";
            }

            var slash = item.IndexOf('/', StringComparison.Ordinal);
            var range = slash < 0 ? item : item[..slash];
            if (slash >= 0 && (!int.TryParse(item.AsSpan(slash + 1), out var step) || step < 1 || !item[(slash + 1)..].All(char.IsAsciiDigit)))
            {
                return $"the step after '/' must be a whole number from 1";
            }

            if (range == "*")
            {
                continue;
            }

            var dash = range.IndexOf('-', StringComparison.Ordinal);
            var low = Value(dash < 0 ? range : range[..dash], f);
            var high = dash < 0 ? low : Value(range[(dash + 1)..], f);
            if (low is null || high is null)
            {
                var (min, max) = Bounds[f];
                var names = f switch { 3 => " or JAN-DEC", 4 => " or SUN-SAT", _ => "" };
                return $"values must be numbers from {min} to {max}{names}";
            }

            if (low > high)
            {
                return $"the range {range} runs backwards";
            }
        }

        return null;
    }

    private static int? Value(string text, int f)
    {
        var names = f switch { 3 => Months, 4 => Days, _ => [] };
        var named = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (named >= 0)
        {
            return f == 3 ? named + 1 : named;
        }

        var (min, max) = Bounds[f];
        return text.Length is > 0 and <= 2 && text.All(char.IsAsciiDigit) && int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is var v && v >= min && v <= max
            ? v
            : null;
    }
}
