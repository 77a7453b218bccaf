namespace Kiln.Core.Pipelines;

/// <summary>
/// Reads durations such as <c>90s</c>, <c>20m</c>, <c>1h</c>, <c>1h30m</c>, <c>500ms</c> and <c>30d</c>;
/// a plain integer means seconds. Units are d, h, m, s and ms, each used at most once and from the
/// largest to the smallest; no signs, spaces or fractions.
/// </summary>
public static class DurationParser
{
    private static readonly long MaxMilliseconds = TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond;

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        long total = 0;
        var previousUnit = long.MaxValue;
        var i = 0;
        while (i < text.Length)
        {
            if (!TryReadNumber(text, ref i, out var number))
            {
                return false;
            }

            long unit;
            if (i == text.Length)
            {
                // A bare number: seconds, and only when it is the whole text.
                if (previousUnit != long.MaxValue)
                {
                    return false;
                }

                unit = 1000;
            }
            else if (!TryReadUnit(text, ref i, out unit) || unit >= previousUnit)
            {
                return false;
            }

            previousUnit = unit;
            if (number > (MaxMilliseconds - total) / unit)
            {
                return false;
            }

            total += number * unit;
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Whole seconds in the form <see cref="TryParse"/> reads, largest unit first: 90 is <c>1m30s</c>.</summary>
    public static string FormatSeconds(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        if (seconds == 0)
        {
            return "0s";
        }

        var text = new System.Text.StringBuilder();
        foreach (var (unit, size) in new[] { ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1) })
        {
            if (seconds >= size)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
                seconds %= size;
            }
        }

        return text.ToString();
    }

    private static bool TryReadNumber(string text, ref int i, out long number)
    {
        number = 0;
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            if (number > (long.MaxValue - 9) / 10)
            {
                return false;
            }

            number = (number * 10) + (text[i] - '0');
            i++;
        }

        return i > start;
    }

    private static bool TryReadUnit(string text, ref int i, out long milliseconds)
    {
        var rest = text.AsSpan(i);
        (milliseconds, var length) = rest switch
        {
            _ when rest.StartsWith("ms", StringComparison.Ordinal) => (1L, 2),
            _ when rest.StartsWith("d", StringComparison.Ordinal) => (86_400_000L, 1),
            _ when rest.StartsWith("h", StringComparison.Ordinal) => (3_600_000L, 1),
            _ when rest.StartsWith("m", StringComparison.Ordinal) => (60_000L, 1),
            _ when rest.StartsWith("s", StringComparison.Ordinal) => (1000L, 1),
            _ => (0L, 0),
        };
        i += length;
        return length > 0;
    }
}
