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

/// <summary>Wire names of <see cref="TriggerEvent"/>: <c>push</c>, <c>pull_request</c>, <c>tag</c>, <c>manual</c>,
/// <c>api</c>, <c>schedule</c>.</summary>
public static class TriggerEvents
{
    private static readonly WireNames<TriggerEvent> Wire = new();

    public static IReadOnlyList<string> Names => Wire.Names;

    public static string ToWire(this TriggerEvent triggerEvent) => Wire.ToWire(triggerEvent);

    public static bool TryParse(string? name, out TriggerEvent triggerEvent) => Wire.TryParse(name, out triggerEvent);

    public static TriggerEvent Parse(string name) => Wire.Parse(name);
}
