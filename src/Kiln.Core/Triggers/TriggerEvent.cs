namespace Kiln.Core.Triggers;

/// <summary>What started a build; its wire name (<see cref="TriggerEvents.ToWire"/>) is <c>KILN_EVENT</c>
/// and the build resource's <c>event</c>.</summary>
public enum TriggerEvent
{
    Push,
    PullRequest,
    Tag,
    Manual,
    Api,
    Schedule,
}

/// <summary>Wire names of <see cref="TriggerEvent"/>.</summary>
public static class TriggerEvents
{
    /// <summary>Every event, in the order the docs list them.</summary>
    public static IReadOnlyList<TriggerEvent> All { get; } = Enum.GetValues<TriggerEvent>();

    /// <summary>Every wire name, in the order of <see cref="All"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(ToWire)];

    public static string ToWire(this TriggerEvent triggerEvent) => triggerEvent switch
    {
        TriggerEvent.Push => "push",
        TriggerEvent.PullRequest => "pull_request",
        TriggerEvent.Tag => "tag",
        TriggerEvent.Manual => "manual",
        TriggerEvent.Api => "api",
        TriggerEvent.Schedule => "schedule",
        _ => throw new ArgumentOutOfRangeException(nameof(triggerEvent), triggerEvent, null),
    };

    public static bool TryParse(string? name, out TriggerEvent triggerEvent)
    {
        var index = name is null ? -1 : Names.IndexOf(name);
        triggerEvent = index < 0 ? default : All[index];
        return index >= 0;
    }

    /// <summary>The event of a wire name that was written by <see cref="ToWire"/>.</summary>
    public static TriggerEvent Parse(string name) =>
        TryParse(name, out var triggerEvent) ? triggerEvent : throw new FormatException($"'{name}' is not a trigger event.");

    private static int IndexOf(this IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
