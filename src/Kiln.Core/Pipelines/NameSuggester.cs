namespace Kiln.Core.Pipelines;

/// <summary>Finds the name a user probably meant, for "did you mean" hints.</summary>
internal static class NameSuggester
{
    public const int MaxDistance = 2;

    /// <summary>
    /// The candidate nearest to <paramref name="name"/> (the first one on a tie) when it is at most
    /// <see cref="MaxDistance"/> edits away, and at most one edit per three characters of the name
    /// (but always one), so short names do not get far-fetched hints.
    /// </summary>
    public static string? Suggest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (candidate == name || Math.Abs(candidate.Length - name.Length) > MaxDistance)
            {
                continue;
            }

            var distance = Distance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= Math.Min(MaxDistance, Math.Max(1, name.Length / 3)) ? best : null;
    }

    /// <summary>"did you mean 'steps'?" or null.</summary>
    public static string? Hint(string name, IEnumerable<string> candidates) =>
        Suggest(name, candidates) is { } s ? $"did you mean '{s}'?" : null;

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) to turn a into b; case counts as a difference.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
