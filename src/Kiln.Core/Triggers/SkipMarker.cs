namespace Kiln.Core.Triggers;

/// <summary>The markers in a head commit's message that skip its push or pull-request build, as GitLab CI,
/// GitHub Actions and Woodpecker read them: <c>[skip ci]</c>, <c>[ci skip]</c>, any case.</summary>
public static class SkipMarker
{
    private static readonly string[] Markers = ["[skip ci]", "[ci skip]"];

    /// <summary>The marker the message holds, as written there, or null.</summary>
    public static string? Find(string? message)
    {
        if (message is null)
        {
            return null;
        }

        foreach (var marker in Markers)
        {
            var at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                return message.Substring(at, marker.Length);
            }
        }

        return null;
    }
}
